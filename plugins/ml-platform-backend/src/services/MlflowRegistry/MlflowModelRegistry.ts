import {
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { createHash } from 'node:crypto';
import {
  InspectionBudget,
  SafetyVerdictStore,
  StoredVerdict,
  VerdictKey,
  VersionInspector,
  createVersionInspector,
  listingFingerprint,
  verdictKeyString,
} from '../SerializationSafety';
import { MlflowClient } from './MlflowClient';
import {
  isoTime,
  keyValues,
  toModelRun,
  toRegisteredModel,
} from './mapMlflowEntities';
import pLimit from 'p-limit';
import { MlflowAuth, MlflowModelVersion } from './types';

// Versions are inspected in parallel, but not so many at once that a cold
// start floods the server (each streams one file at a time).
const INSPECTIONS_IN_FLIGHT = 8;
/**
 * Names the classifier of the verdicts stored: a verdict made by another
 * (an older release read only the MLmodel file) is made again.
 */
const SAFETY_CLASSIFIER = 'bytes-1';
const DEFAULT_RECHECK_MS = 60 * 60 * 1000;

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
  /** How much of each version's artifact is read to judge it. */
  inspectionBudget?: Partial<InspectionBudget>;
  /**
   * How often a judged version's file listing is read again; a changed
   * listing is judged again. Defaults to one hour.
   */
  recheckIntervalMs?: number;
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
  // Verdicts are kept in memory and in the verdict store; a version's files
  // are listed again every recheck interval, and judged again if changed.
  readonly #verdicts = new Map<string, StoredVerdict>();
  readonly #verdictStore?: SafetyVerdictStore;
  readonly #inspector: VersionInspector;
  readonly #recheckMs: number;

  constructor(options: MlflowModelRegistryOptions) {
    this.id = options.id;
    this.#verdictStore = options.verdicts;
    this.client = new MlflowClient(options);
    this.#inspector = createVersionInspector({
      client: this.client,
      budget: options.inspectionBudget,
    });
    this.#recheckMs = options.recheckIntervalMs ?? DEFAULT_RECHECK_MS;
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
      for (const [key, stored] of await this.#verdictStore.load(this.id)) {
        this.#verdicts.set(key, stored);
      }
    }
    const changed: Array<VerdictKey & StoredVerdict> = [];
    const limit = pLimit(INSPECTIONS_IN_FLIGHT);
    const judge = async (
      v: (typeof versions)[number],
      verdictKey: VerdictKey,
    ): Promise<Safety> => {
      const key = verdictKeyString(verdictKey);
      const known = this.#verdicts.get(key);
      const current = known?.classifier === SAFETY_CLASSIFIER;
      const due =
        !known?.checkedAt ||
        Date.now() - known.checkedAt.getTime() >= this.#recheckMs;
      if (known && current && !due) return { safety: known.verdict };
      // A version still registering has no files yet.
      if (v.status && v.status !== 'READY' && !known) {
        return {
          safetyError: `The version is ${v.status}: no files to read yet`,
        };
      }
      try {
        const listed = await this.#inspector.list(v.name, v.version);
        const fingerprint = listed && fingerprintOf(listed.files);
        let stored: StoredVerdict;
        if (known && current && known.filesFingerprint === fingerprint) {
          stored = { ...known, checkedAt: new Date() };
        } else {
          const verdict = await this.#inspector.judge(
            v.name,
            v.version,
            listed,
          );
          stored = {
            verdict,
            classifier: SAFETY_CLASSIFIER,
            filesFingerprint: fingerprint,
            checkedAt: new Date(),
          };
        }
        this.#verdicts.set(key, stored);
        changed.push({ ...verdictKey, ...stored });
        return { safety: stored.verdict };
      } catch (e) {
        // Not kept: the next listing tries again. A verdict made before
        // stands meanwhile.
        const message = `Could not read the version's files: ${
          (e as Error).message
        }`;
        return known && current
          ? { safety: known.verdict }
          : { safetyError: message };
      }
    };
    const safeties = await Promise.all(
      versions.map((v, i) => limit(() => judge(v, keys[i]))),
    );
    if (this.#verdictStore && changed.length > 0) {
      await this.#verdictStore.save(this.id, changed);
    }
    return safeties;
  }
}

function fingerprintOf(files: Array<{ path: string; size?: number }>) {
  return createHash('sha256').update(listingFingerprint(files)).digest('hex');
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
