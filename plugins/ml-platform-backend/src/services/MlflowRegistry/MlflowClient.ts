import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { MlflowRequestError } from './MlflowRequestError';
import {
  MlflowArtifactFile,
  MlflowAuth,
  MlflowExperiment,
  MlflowModelVersion,
  MlflowRegisteredModel,
  MlflowRun,
  MlflowWebhook,
  MlflowWebhookFields,
} from './types';

const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
// A download may take longer than an API call: a file of a few hundred MB
// within the inspection budget.
const MIN_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

// The largest pages MLflow 3.17 accepts; one more is INVALID_PARAMETER_VALUE.
// Large pages keep a full read at a handful of requests.
const MAX_REGISTERED_MODELS_PAGE = 1000;
const MAX_MODEL_VERSIONS_PAGE = 200_000;
const MAX_RUNS_PAGE = 50_000;
const MAX_EXPERIMENTS_PAGE = 50_000;
const MAX_WEBHOOKS_PAGE = 1000;

// Keeps a `run_id IN (...)` filter and its SQL far below any length limit.
const RUN_IDS_PER_SEARCH = 100;
const EXPERIMENT_IDS_PER_SEARCH = 1000;
// Run ids are hex (or uuid); anything else never goes into a filter string.
const SAFE_RUN_ID = /^[A-Za-z0-9-]+$/;
// A runaway page-token loop must end.
const MAX_PAGES = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface MlflowClientOptions {
  /** The server's address, e.g. `https://mlflow.example.com` or with a path prefix. */
  baseUrl: string;
  auth?: MlflowAuth;
  /** Per request; defaults to 30 seconds. */
  timeoutMs?: number;
}

type Query = Record<string, string | undefined>;

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

function authorization(auth?: MlflowAuth): string | undefined {
  if (!auth) return undefined;
  if ('token' in auth) return `Bearer ${auth.token}`;
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString(
    'base64',
  );
  return `Basic ${basic}`;
}

async function describeFailure(res: Response): Promise<{
  detail: string;
  errorCode?: string;
}> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    if (body.error_code || body.message) {
      return {
        detail: [body.error_code, body.message].filter(Boolean).join(': '),
        errorCode: body.error_code,
      };
    }
  } catch {
    // Not JSON: the auth app answers 401/403 in plain text or HTML.
  }
  return { detail: text.trim().slice(0, 300) };
}

/**
 * A typed client for the parts of MLflow's REST API 2.0 the model registry
 * needs. Only the configured server is contacted: every URL is the base URL
 * plus a fixed path, and redirects are not followed.
 */
export class MlflowClient {
  readonly #baseUrl: string;
  readonly #authorization?: string;
  readonly #timeoutMs: number;
  readonly #requestCounts = new Map<string, number>();

  constructor(options: MlflowClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorization = authorization(options.auth);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Requests sent so far, in all. */
  get requestCount(): number {
    let total = 0;
    for (const n of this.#requestCounts.values()) total += n;
    return total;
  }

  /** Requests sent so far, by URL path (e.g. `/model-versions/get-artifact`). */
  get requestCounts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#requestCounts);
  }

  /** Every registered model, all pages. */
  async searchRegisteredModels(): Promise<MlflowRegisteredModel[]> {
    return this.#getAllPages(
      `${API}/registered-models/search`,
      { max_results: String(MAX_REGISTERED_MODELS_PAGE) },
      (page: { registered_models?: MlflowRegisteredModel[] }) =>
        page.registered_models ?? [],
    );
  }

  /** Every version of every registered model, all pages, with no filter. */
  async searchModelVersions(): Promise<MlflowModelVersion[]> {
    return this.#getAllPages(
      `${API}/model-versions/search`,
      { max_results: String(MAX_MODEL_VERSIONS_PAGE) },
      (page: { model_versions?: MlflowModelVersion[] }) =>
        page.model_versions ?? [],
    );
  }

  /** Every experiment, deleted ones included, since their runs still back versions. */
  async searchExperiments(): Promise<MlflowExperiment[]> {
    return this.#getAllPages(
      `${API}/experiments/search`,
      { max_results: String(MAX_EXPERIMENTS_PAGE), view_type: 'ALL' },
      (page: { experiments?: MlflowExperiment[] }) => page.experiments ?? [],
    );
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const res = await this.#request('GET', `${API}/runs/get`, {
      run_id: runId,
    });
    return ((await res.json()) as { run: MlflowRun }).run;
  }

  /**
   * Many runs in few requests: `runs/search` over every experiment with a
   * `run_id IN (...)` filter, 100 ids at a time. Runs the search does not
   * return (an id unfit for a filter string, a run the search hides) are
   * read one by one; runs that do not exist are left out.
   */
  async getRuns(runIds: string[]): Promise<MlflowRun[]> {
    const unique = [...new Set(runIds)];
    if (unique.length === 0) return [];
    const searchable = unique.filter(id => SAFE_RUN_ID.test(id));
    const experimentIds = (await this.searchExperiments()).map(
      e => e.experiment_id,
    );

    const runs: MlflowRun[] = [];
    for (const ids of chunk(searchable, RUN_IDS_PER_SEARCH)) {
      const filter = `attributes.run_id IN (${ids
        .map(id => `'${id}'`)
        .join(', ')})`;
      for (const experiments of chunk(
        experimentIds,
        EXPERIMENT_IDS_PER_SEARCH,
      )) {
        runs.push(...(await this.#searchRuns(experiments, filter)));
      }
    }

    const found = new Set(runs.map(r => r.info.run_id));
    for (const id of unique.filter(i => !found.has(i))) {
      try {
        runs.push(await this.getRun(id));
      } catch (e) {
        if (!NotFoundError.is(e)) throw e;
      }
    }
    return runs;
  }

  /** The version's `MLmodel` file, served outside `/api` by the artifact proxy. */
  async getMlModelFile(name: string, version: string): Promise<string> {
    const res = await this.#request('GET', '/model-versions/get-artifact', {
      name,
      version,
      path: 'MLmodel',
    });
    return res.text();
  }

  /**
   * Where the version's artifact lives, e.g.
   * `mlflow-artifacts:/1/models/m-abc/artifacts`.
   */
  async getDownloadUri(name: string, version: string): Promise<string> {
    const res = await this.#request(
      'GET',
      `${API}/model-versions/get-download-uri`,
      { name, version },
    );
    return ((await res.json()) as { artifact_uri: string }).artifact_uri;
  }

  /**
   * One directory of the artifact store the server proxies
   * (`mlflow-artifacts:`), by its path under the store's root.
   */
  async listArtifacts(path: string): Promise<MlflowArtifactFile[]> {
    const res = await this.#request('GET', ARTIFACTS, { path });
    const body = (await res.json()) as {
      files?: Array<{ path: string; is_dir?: boolean; file_size?: number }>;
    };
    return (body.files ?? []).map(f => ({
      path: f.path,
      isDir: Boolean(f.is_dir),
      size: f.file_size === undefined ? undefined : Number(f.file_size),
    }));
  }

  /**
   * Streams one file of the proxied artifact store. The caller reads what it
   * needs and then returns from the iteration, which closes the connection.
   * Bytes received are added to {@link MlflowClient.artifactBytesRead}.
   */
  async *streamArtifact(path: string): AsyncIterable<Uint8Array> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const controller = new AbortController();
    const res = await this.#request(
      'GET',
      `${ARTIFACTS}/${encoded}`,
      undefined,
      undefined,
      { countAs: `${ARTIFACTS}/*`, signal: controller.signal },
    );
    const body = res.body;
    if (!body) return;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.artifactBytesRead += value.length;
        yield value;
      }
    } finally {
      // Stopping early closes the connection; waiting for the cancel to
      // settle could wait for a body never read to its end.
      controller.abort();
      reader.cancel().catch(() => undefined);
    }
  }

  /** Artifact bytes received so far, for benchmarks and tests. */
  artifactBytesRead = 0;

  /** The version an alias points at, or undefined when the model has no such alias. Rejects with NotFoundError for an unknown model. */
  async getAliasVersion(
    name: string,
    alias: string,
  ): Promise<string | undefined> {
    try {
      const res = await this.#request('GET', `${API}/registered-models/alias`, {
        name,
        alias,
      });
      const body = (await res.json()) as {
        model_version?: { version?: string };
      };
      return body.model_version?.version;
    } catch (e) {
      // MLflow 3.17 answers a missing alias with 400 INVALID_PARAMETER_VALUE
      // "Registered model alias <alias> not found"; a missing model is 404.
      const missingAlias =
        e instanceof MlflowRequestError &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(e.message);
      if (missingAlias) return undefined;
      throw e;
    }
  }

  /** Points an alias at a version; MLflow moves it if it exists. Needs edit rights on the model. */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.#request('POST', `${API}/registered-models/alias`, undefined, {
      name,
      alias,
      version,
    });
  }

  /** Removes an alias from the model; MLflow takes the fields in a JSON body. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.#request('DELETE', `${API}/registered-models/alias`, undefined, {
      name,
      alias,
    });
  }

  /** Every registry webhook of the server; MLflow lets only admins list them. */
  async listWebhooks(): Promise<MlflowWebhook[]> {
    return this.#getAllPages(
      `${API}/webhooks`,
      { max_results: String(MAX_WEBHOOKS_PAGE) },
      (page: { webhooks?: MlflowWebhook[] }) => page.webhooks ?? [],
    );
  }

  async createWebhook(fields: MlflowWebhookFields): Promise<MlflowWebhook> {
    const res = await this.#request(
      'POST',
      `${API}/webhooks`,
      undefined,
      fields,
    );
    return ((await res.json()) as { webhook: MlflowWebhook }).webhook;
  }

  async updateWebhook(
    webhookId: string,
    fields: Partial<MlflowWebhookFields>,
  ): Promise<MlflowWebhook> {
    const res = await this.#request(
      'PATCH',
      `${API}/webhooks/${encodeURIComponent(webhookId)}`,
      undefined,
      fields,
    );
    return ((await res.json()) as { webhook: MlflowWebhook }).webhook;
  }

  async deleteWebhook(webhookId: string): Promise<void> {
    await this.#request(
      'DELETE',
      `${API}/webhooks/${encodeURIComponent(webhookId)}`,
    );
  }

  async #searchRuns(experimentIds: string[], filter: string) {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const res = await this.#request('POST', `${API}/runs/search`, undefined, {
        experiment_ids: experimentIds,
        filter,
        run_view_type: 'ALL',
        max_results: MAX_RUNS_PAGE,
        page_token: pageToken,
      });
      const page = (await res.json()) as {
        runs?: MlflowRun[];
        next_page_token?: string;
      };
      runs.push(...(page.runs ?? []));
      pageToken = page.next_page_token || undefined;
      pages += 1;
    } while (pageToken && pages < MAX_PAGES);
    return runs;
  }

  async #getAllPages<P, T>(
    path: string,
    query: Query,
    items: (page: P) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const res = await this.#request('GET', path, {
        ...query,
        page_token: pageToken,
      });
      const page = (await res.json()) as P & { next_page_token?: string };
      all.push(...items(page));
      pageToken = page.next_page_token || undefined;
      pages += 1;
    } while (pageToken && pages < MAX_PAGES);
    return all;
  }

  async #request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    query?: Query,
    body?: unknown,
    options: { countAs?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, value);
    }
    const search = params.size > 0 ? `?${params}` : '';
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#authorization) headers.Authorization = this.#authorization;
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const counted = options.countAs ?? path;
    this.#requestCounts.set(
      counted,
      (this.#requestCounts.get(counted) ?? 0) + 1,
    );
    let res: Response;
    try {
      res = await fetch(`${this.#baseUrl}${path}${search}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect could lead to another host; treat it as a failure.
        redirect: 'manual',
        signal: options.signal
          ? AbortSignal.any([
              options.signal,
              AbortSignal.timeout(
                Math.max(this.#timeoutMs, MIN_DOWNLOAD_TIMEOUT_MS),
              ),
            ])
          : AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      const reason = (e as Error).cause ?? e;
      throw new ServiceUnavailableError(
        `MLflow ${method} ${path} failed: ${(reason as Error).message}`,
        e,
      );
    }
    if (res.ok) return res;

    const { detail, errorCode } = await describeFailure(res);
    const message = `MLflow ${method} ${counted} answered ${res.status}${
      res.statusText ? ` ${res.statusText}` : ''
    }${detail ? `: ${detail}` : ''}`;
    if (res.status === 404) throw new NotFoundError(message);
    throw new MlflowRequestError(message, res.status, errorCode);
  }
}
