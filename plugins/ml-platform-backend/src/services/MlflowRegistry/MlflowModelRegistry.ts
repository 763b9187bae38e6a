import {
  ModelVersion,
  RegisteredModel,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { classifyMlModel } from '../SerializationSafety';
import { MlflowClient } from './MlflowClient';
import {
  isoTime,
  keyValues,
  toModelRun,
  toRegisteredModel,
} from './mapMlflowEntities';
import { mapWithConcurrency } from '../../lib/mapWithConcurrency';
import { MlflowAuth, MlflowModelVersion } from './types';

// MLmodel files are read in parallel, but not so many at once that a cold
// start floods the server.
const MLMODEL_READS_IN_FLIGHT = 8;

export interface MlflowModelRegistryOptions {
  id: string;
  baseUrl: string;
  /** Where links point; defaults to baseUrl. */
  uiUrl?: string;
  auth?: MlflowAuth;
  timeoutMs?: number;
}

type Safety = Pick<ModelVersion, 'safety' | 'safetyError'>;

/**
 * The model registry of one MLflow tracking server.
 */
export class MlflowModelRegistry implements ModelRegistry {
  readonly type = 'mlflow';
  readonly id: string;
  /** Public for its request counters, which benchmarks and tests read. */
  readonly client: MlflowClient;
  readonly #uiUrl: string;
  // A version's artifacts never change once registered, so a verdict is kept
  // for the life of the process. The key has the creation time because a
  // model deleted and registered again starts over at version 1.
  readonly #verdicts = new Map<string, SafetyVerdict>();

  constructor(options: MlflowModelRegistryOptions) {
    this.id = options.id;
    this.client = new MlflowClient(options);
    this.#uiUrl = (options.uiUrl ?? options.baseUrl).replace(/\/+$/, '');
  }

  async listModels(): Promise<RegisteredModel[]> {
    const models = await this.client.searchRegisteredModels();
    return models.map(m => toRegisteredModel(this.id, m));
  }

  async listVersions(): Promise<ModelVersion[]> {
    // Versions from search carry no aliases; the registered models do.
    const [models, versions] = await Promise.all([
      this.client.searchRegisteredModels(),
      this.client.searchModelVersions(),
    ]);
    const aliases = new Map<string, string[]>();
    for (const model of models) {
      for (const { alias, version } of model.aliases ?? []) {
        const key = versionKey(model.name, version);
        aliases.set(key, [...(aliases.get(key) ?? []), alias]);
      }
    }

    const runIds = versions.flatMap(v => (v.run_id ? [v.run_id] : []));
    const runs = new Map(
      (await this.client.getRuns(runIds)).map(r => [
        r.info.run_id,
        toModelRun(r),
      ]),
    );
    const safeties = await mapWithConcurrency(
      versions,
      MLMODEL_READS_IN_FLIGHT,
      v => this.#safety(v),
    );

    return versions.map((v, i) => {
      const run = v.run_id ? runs.get(v.run_id) : undefined;
      return {
        registryId: this.id,
        name: v.name,
        version: v.version,
        status: v.status ?? 'UNKNOWN',
        description: v.description || undefined,
        aliases: (aliases.get(versionKey(v.name, v.version)) ?? []).sort(),
        tags: keyValues(v.tags),
        createdAt: isoTime(v.creation_timestamp),
        updatedAt: isoTime(v.last_updated_timestamp),
        source: v.source || undefined,
        run,
        ...safeties[i],
        links: {
          registry: `${this.#uiUrl}/#/models/${encodeURIComponent(
            v.name,
          )}/versions/${encodeURIComponent(v.version)}`,
          run:
            run?.experimentId !== undefined
              ? `${this.#uiUrl}/#/experiments/${encodeURIComponent(
                  run.experimentId,
                )}/runs/${encodeURIComponent(run.runId)}`
              : undefined,
        },
      };
    });
  }

  async #safety(version: MlflowModelVersion): Promise<Safety> {
    const key = `${versionKey(version.name, version.version)}\u0000${
      version.creation_timestamp ?? ''
    }`;
    const cached = this.#verdicts.get(key);
    if (cached) return { safety: cached };
    try {
      const verdict = classifyMlModel(
        await this.client.getMlModelFile(version.name, version.version),
      );
      this.#verdicts.set(key, verdict);
      return { safety: verdict };
    } catch (e) {
      // Not cached: the next listing tries again.
      return {
        safetyError: `Could not read the MLmodel file: ${(e as Error).message}`,
      };
    }
  }
}

function versionKey(name: string, version: string) {
  return `${name}\u0000${version}`;
}
