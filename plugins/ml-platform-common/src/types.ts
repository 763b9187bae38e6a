import type { RolloutAuditRecord } from './rollouts';

/**
 * Whether loading a model version can run code the model's author chose:
 * `unsafe` when it would (a pickle importing anything but data-only types, a
 * Keras Lambda layer, a custom loader module or code path), `safe` when every
 * file was read and holds data only, `unknown` when some file could not be
 * inspected (over the size budget, unreadable, a format not known).
 * @public
 */
export type SerializationSafety = 'safe' | 'unsafe' | 'unknown';

/**
 * How risky one import of a pickle (or one type of a skops or Keras file) is,
 * as picklescan and modelscan call it: `dangerous` runs commands or code
 * (`os.system`, `builtins.eval`), `suspicious` is anything outside the
 * allow-list of data-only types, `innocuous` is on it.
 * @public
 */
export type ImportRisk = 'dangerous' | 'suspicious' | 'innocuous';

/**
 * A global a pickle imports, or a type a skops or Keras file names.
 * @public
 */
export interface SafetyImport {
  module: string;
  name: string;
  risk: ImportRisk;
}

/**
 * What reading one artifact file found.
 * @public
 */
export interface SafetyFileFinding {
  /** Path in the version's artifact, with `!` and the entry for a file inside a zip. */
  path: string;
  /** What the bytes are, e.g. `pickle`, `zip`, `safetensors`, `onnx`, `keras`, `skops`, `data`. */
  format: string;
  safety: SerializationSafety;
  /** One sentence: what was found, or why the file could not be read. */
  reason: string;
  /** Size in bytes, from the registry's listing. */
  size?: number;
  /** The imports that are not innocuous, most dangerous first; innocuous ones only counted. */
  imports?: SafetyImport[];
  innocuousImports?: number;
}
/**
 * A registered model as the portal shows it, from one model registry.
 * @public
 */
export interface RegisteredModel {
  /** Id of the configured registry instance that holds the model. */
  registryId: string;
  name: string;
  description?: string;
  /** Alias name to version, e.g. `{ champion: '7' }`. */
  aliases: Record<string, string>;
  tags: Record<string, string>;
  latestVersion?: string;
  createdAt?: string;
  updatedAt?: string;
}

/**
 * State of one configured model registry, as reported next to its models so
 * the UI can say which source is missing instead of showing fewer rows.
 * @public
 */
export interface ModelRegistryStatus {
  id: string;
  type: string;
  ok: boolean;
  error?: string;
  /** When the registry was last read successfully. */
  refreshedAt?: string;
}

/**
 * A registered model in a listing: the model, who owns it, where it runs.
 * @public
 */
export interface ModelSummary extends RegisteredModel {
  /** From the registered model's `owner` tag. */
  owner?: string;
  /** Each cluster and namespace the model runs in, with its traffic split. */
  deployments: Array<{
    cluster: string;
    namespace: string;
    versions: Array<{ version: string; percent: number }>;
  }>;
  /** The least safe verdict among the versions that serve traffic, else of the latest version. */
  safety?: SerializationSafety;
  safetyReason?: string;
  /**
   * Deployment lead time of the model's versions that have served traffic:
   * from registration to first serving traffic. Missing when none has.
   */
  leadTime?: {
    medianSeconds: number;
    /** How many versions the median is taken over. */
    measuredVersions: number;
  };
  /** The model's newest succeeded rollout from the portal, in any cluster. */
  lastRollout?: Pick<
    RolloutAuditRecord,
    'at' | 'strategy' | 'cluster' | 'namespace' | 'actor'
  >;
}

/**
 * Filters and page of `GET /models`; the backend filters and pages, so a
 * listing stays fast with thousands of models.
 * @public
 */
export interface ModelListQuery {
  /** Part of a model's name or description, any letter case. */
  search?: string;
  owner?: string;
  /** Models that have this alias, e.g. `champion`. */
  alias?: string;
  /** Models deployed in this cluster. */
  cluster?: string;
  safety?: SerializationSafety;
  /** true: models serving traffic somewhere; false: models serving none. */
  deployed?: boolean;
  offset?: number;
  /** At most 500. */
  limit?: number;
}

/**
 * Response of `GET /models`.
 * @public
 */
export interface ModelListResponse {
  items: ModelSummary[];
  /** Matching models in all, before paging. */
  totalCount: number;
  registries: ModelRegistryStatus[];
  clusters: ClusterStatus[];
}

/**
 * Response of `GET /models/{name}`.
 * @public
 */
export interface ModelDetailsResponse {
  model: ModelSummary;
  /** Newest first. */
  versions: ModelVersion[];
  deployments: ModelDeployment[];
  registries: ModelRegistryStatus[];
  clusters: ClusterStatus[];
}

/**
 * Response of `GET /health`.
 * @public
 */
export interface HealthResponse {
  status: 'ok';
}

/**
 * The verdict on whether loading a model version can run code, and the
 * evidence behind it.
 * @public
 */
export interface SafetyVerdict {
  safety: SerializationSafety;
  /** One sentence a person can act on. */
  reason: string;
  /** The MLflow flavors of the version's MLmodel file. */
  flavors: string[];
  /**
   * `bytes` when the artifact's files were read; `metadata` when only the
   * MLmodel file could be (then the verdict is never `safe`).
   */
  source: 'bytes' | 'metadata';
  /** What the MLmodel file itself declares that runs code (loader modules, code paths). */
  codeHooks?: string[];
  /** The files read, those that decided the verdict first. */
  files: SafetyFileFinding[];
  /** Files in the artifact in all (files beyond the first 200 are not listed above). */
  fileCount?: number;
  /** Bytes read from the registry to reach the verdict. */
  bytesRead?: number;
  /** When the files were read. */
  checkedAt?: string;
}

/**
 * The training run behind a model version.
 * @public
 */
export interface ModelRun {
  runId: string;
  experimentId?: string;
  runName?: string;
  status?: string;
  userId?: string;
  startTime?: string;
  endTime?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

/**
 * The ZenML pipeline run that produced a model version.
 * @public
 */
export interface PipelineRunLink {
  id: string;
  name?: string;
  pipeline?: string;
  status?: string;
  /** The run's page in the ZenML dashboard. */
  link?: string;
  /** Set when ZenML could not be asked; the id still comes from the run's tags. */
  error?: string;
}

/**
 * The lakeFS commit of the data a model version was trained on.
 * @public
 */
export interface DataCommitLink {
  repository: string;
  commitId: string;
  path?: string;
  message?: string;
  committer?: string;
  committedAt?: string;
  metadata?: Record<string, string>;
  /** The commit's page in the lakeFS UI. */
  link?: string;
  /** Set when lakeFS could not be asked; the ids still come from the run's tags. */
  error?: string;
}

/**
 * Where a model version came from: data commit → pipeline run → MLflow run.
 * @public
 */
export interface ModelLineage {
  pipelineRun?: PipelineRunLink;
  dataCommit?: DataCommitLink;
}

/**
 * One version of a registered model.
 * @public
 */
export interface ModelVersion {
  registryId: string;
  /** Registered model name. */
  name: string;
  version: string;
  /** Registry status, e.g. READY, PENDING_REGISTRATION, FAILED_REGISTRATION. */
  status: string;
  description?: string;
  /** Aliases that point at this version, e.g. ['champion']. */
  aliases: string[];
  tags: Record<string, string>;
  createdAt?: string;
  updatedAt?: string;
  /** Where the registry copied the artifacts from. */
  source?: string;
  run?: ModelRun;
  lineage?: ModelLineage;
  /** The first moment the version was seen serving traffic (more than 0 %) anywhere. */
  firstServingAt?: string;
  firstServingLocation?: { cluster: string; namespace: string };
  /** Deployment lead time: from registration to first serving traffic. */
  leadTimeSeconds?: number;
  /** Missing when the version's MLmodel could not be read; see safetyError. */
  safety?: SafetyVerdict;
  safetyError?: string;
  links: {
    /** The version's page in the registry's UI. */
    registry: string;
    /** The run's page in the registry's UI. */
    run?: string;
  };
}

/**
 * A model-serving workload on Kubernetes, one per version.
 * @public
 */
export interface ModelWorkload {
  kind: string;
  name: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

/**
 * The traffic object that splits requests between versions.
 * @public
 */
export interface TrafficRouterRef {
  apiVersion: string;
  /** The object's kind: `HTTPRoute`, `Rollout`, `InferenceService`, or one a module's traffic kind handles. */
  kind: string;
  name: string;
  resourceVersion: string;
  /** Set when a controller or GitOps tool owns the object. */
  managedBy?: string;
}

/**
 * Where one model runs in one cluster and namespace, and how its traffic is split.
 * @public
 */
export interface ModelDeployment {
  cluster: string;
  namespace: string;
  /** Registered model name, from the workloads' labels. */
  model: string;
  registryId?: string;
  router?: TrafficRouterRef;
  versions: Array<{
    version: string;
    workload?: ModelWorkload;
    /** The router's own weight for this version (proportional for HTTPRoute). */
    weight?: number;
    /** Share of traffic in percent, 0-100; the shares of a deployment add up to 100 or to 0. */
    percent: number;
  }>;
  /** Progressive delivery state, for an Argo Rollout or a KServe canary. */
  progress?: {
    phase?: string;
    currentStepIndex?: number;
    totalSteps?: number;
    paused?: boolean;
    message?: string;
  };
}

/**
 * State of one configured cluster in an answer built from several.
 * @public
 */
export interface ClusterStatus {
  name: string;
  ok: boolean;
  error?: string;
  /** When the cache last synced from the cluster. */
  syncedAt?: string;
}
