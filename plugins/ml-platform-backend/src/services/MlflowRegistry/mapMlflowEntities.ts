import {
  ModelRun,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import { MlflowKeyValue, MlflowRegisteredModel, MlflowRun } from './types';

export function isoTime(millis?: number): string | undefined {
  return millis === undefined || millis === null
    ? undefined
    : new Date(Number(millis)).toISOString();
}

export function keyValues(
  entries?: MlflowKeyValue[] | null,
): Record<string, string> {
  return Object.fromEntries((entries ?? []).map(e => [e.key, e.value]));
}

export function toRegisteredModel(
  registryId: string,
  model: MlflowRegisteredModel,
): RegisteredModel {
  // latest_versions holds the newest version of each (deprecated) stage, so
  // its highest number is the model's highest version.
  const versions = (model.latest_versions ?? []).map(v => Number(v.version));
  return {
    registryId,
    name: model.name,
    description: model.description || undefined,
    aliases: Object.fromEntries(
      (model.aliases ?? []).map(a => [a.alias, a.version]),
    ),
    tags: keyValues(model.tags),
    latestVersion: versions.length ? String(Math.max(...versions)) : undefined,
    createdAt: isoTime(model.creation_timestamp),
    updatedAt: isoTime(model.last_updated_timestamp),
  };
}

export function toModelRun(run: MlflowRun): ModelRun {
  const { info, data } = run;
  // runs/get and runs/search already send each metric's latest value; the
  // newest step wins should a key come twice.
  const metrics = new Map<
    string,
    { value: number; step: number; at: number }
  >();
  for (const m of data?.metrics ?? []) {
    const step = Number(m.step ?? 0);
    const at = Number(m.timestamp ?? 0);
    const seen = metrics.get(m.key);
    if (!seen || step > seen.step || (step === seen.step && at >= seen.at)) {
      metrics.set(m.key, { value: Number(m.value), step, at });
    }
  }
  const tags = keyValues(data?.tags);
  return {
    runId: info.run_id,
    experimentId: info.experiment_id,
    runName: info.run_name || tags['mlflow.runName'] || undefined,
    status: info.status,
    userId: info.user_id || tags['mlflow.user'] || undefined,
    startTime: isoTime(info.start_time),
    endTime: isoTime(info.end_time),
    params: keyValues(data?.params),
    metrics: Object.fromEntries(
      [...metrics].map(([key, { value }]) => [key, value]),
    ),
    tags,
  };
}
