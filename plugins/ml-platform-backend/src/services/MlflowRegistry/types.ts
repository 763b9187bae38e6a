/*
 * The shapes MLflow's REST API 2.0 answers with, as MLflow 3.x serves them.
 * Only the fields this plugin reads are declared; MLflow omits empty lists
 * and sends some of them as null.
 */

export interface MlflowKeyValue {
  key: string;
  value: string;
}

export interface MlflowRegisteredModel {
  name: string;
  description?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  tags?: MlflowKeyValue[] | null;
  aliases?: Array<{ alias: string; version: string }> | null;
  latest_versions?: Array<{ version: string }> | null;
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  description?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: MlflowKeyValue[] | null;
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

export interface MlflowRun {
  info: {
    run_id: string;
    experiment_id?: string;
    run_name?: string;
    user_id?: string;
    status?: string;
    start_time?: number;
    end_time?: number;
  };
  data?: {
    params?: MlflowKeyValue[] | null;
    metrics?: MlflowMetric[] | null;
    tags?: MlflowKeyValue[] | null;
  };
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
}

/** How the plugin authenticates to an MLflow server. */
export type MlflowAuth =
  | { username: string; password: string }
  | { token: string };

/** An event as the webhooks API spells it, e.g. MODEL_VERSION / CREATED. */
export interface MlflowWebhookEvent {
  entity: string;
  action: string;
}

/** What a webhook is created or updated with; MLflow never returns the secret. */
export interface MlflowWebhookFields {
  name: string;
  url: string;
  events: MlflowWebhookEvent[];
  secret: string;
  status: 'ACTIVE' | 'DISABLED';
  description?: string;
}

export interface MlflowWebhook
  extends Omit<MlflowWebhookFields, 'secret' | 'status'> {
  webhook_id: string;
  status?: string;
}

/** One entry of an artifact directory listing. */
export interface MlflowArtifactFile {
  /** Relative to the listed directory. */
  path: string;
  isDir: boolean;
  size?: number;
}
