import {
  ModelVersion,
  RegisteredModel,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { createHash } from 'node:crypto';
import {
  SafetyVerdictStore,
  VerdictKey,
  classifyMlModel,
  verdictKeyString,
} from '../SerializationSafety';
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
  /**
   * Where verdicts outlive the process; without it, every start reads every
   * version's MLmodel file again.
   */
  verdicts?: SafetyVerdictStore;
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
  // A version's artifacts never change once registered, so a verdict, once
  // read, is kept in memory and in the verdict store.
  readonly #verdicts = new Map<string, SafetyVerdict>();
  readonly #verdictStore?: SafetyVerdictStore;

  constructor(options: MlflowModelRegistryOptions) {
    this.id = options.id;
    this.#verdictStore = options.verdicts;
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
    const safeties = await this.#safeties(versions);

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

  async #safeties(versions: MlflowModelVersion[]): Promise<Safety[]> {
    const keys = versions.map(verdictKeyOf);
    const unknown = () =>
      keys.some(k => !this.#verdicts.has(verdictKeyString(k)));
    // Stored verdicts are loaded only when a version is new to this process:
    // at start, and after a registration.
    if (this.#verdictStore && unknown()) {
      for (const [key, verdict] of await this.#verdictStore.load(this.id)) {
        this.#verdicts.set(key, verdict);
      }
    }
    const read: Array<VerdictKey & { verdict: SafetyVerdict }> = [];
    const safeties = await mapWithConcurrency(
      versions.map((v, i) => ({ v, verdictKey: keys[i] })),
      MLMODEL_READS_IN_FLIGHT,
      async ({ v, verdictKey }): Promise<Safety> => {
        const key = verdictKeyString(verdictKey);
        const known = this.#verdicts.get(key);
        if (known) return { safety: known };
        try {
          const verdict = classifyMlModel(
            await this.client.getMlModelFile(v.name, v.version),
          );
          this.#verdicts.set(key, verdict);
          read.push({ ...verdictKey, verdict });
          return { safety: verdict };
        } catch (e) {
          // Not kept: the next listing tries again.
          return {
            safetyError: `Could not read the MLmodel file: ${
              (e as Error).message
            }`,
          };
        }
      },
    );
    if (this.#verdictStore && read.length > 0) {
      await this.#verdictStore.save(this.id, read);
    }
    return safeties;
  }
}

/**
 * The creation time is in the key because a model deleted and registered
 * again starts over at version 1, possibly from another source.
 */
function verdictKeyOf(version: MlflowModelVersion): VerdictKey {
  return {
    model: version.name,
    version: version.version,
    sourceKey: createHash('sha256')
      .update(
        `${version.source ?? ''}\u0000${version.creation_timestamp ?? ''}`,
      )
      .digest('hex'),
  };
}

function versionKey(name: string, version: string) {
  return `${name}\u0000${version}`;
}
