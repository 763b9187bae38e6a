import { PipelineRunLink } from '@mlplatform/plugin-ml-platform-common';

/** How the backend reaches one ZenML server. */
export interface ZenmlConfig {
  baseUrl: string;
  /** Where people open the dashboard; defaults to baseUrl. */
  dashboardUrl: string;
  project: string;
  username: string;
  password: string;
  /** How long one request may take; defaults to 10 seconds. */
  timeoutMs?: number;
}

interface ZenmlRun {
  id: string;
  name?: string;
  body?: { status?: string };
  resources?: { pipeline?: { name?: string } };
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** A client of ZenML's REST API that logs in with its OAuth2 password flow. */
export class ZenmlClient {
  private token?: Promise<string>;

  constructor(private readonly config: ZenmlConfig) {}

  runLink(id: string): string {
    return `${this.config.dashboardUrl}/projects/${encodeURIComponent(
      this.config.project,
    )}/runs/${encodeURIComponent(id)}`;
  }

  async getRun(id: string): Promise<PipelineRunLink> {
    const run = (await this.get(
      `/api/v1/runs/${encodeURIComponent(id)}`,
    )) as ZenmlRun;
    return {
      id: run.id,
      name: run.name,
      pipeline: run.resources?.pipeline?.name,
      status: run.body?.status,
      link: this.runLink(run.id),
    };
  }

  private async login(): Promise<string> {
    const res = await this.fetch('POST /api/v1/login', '/api/v1/login', {
      method: 'POST',
      body: new URLSearchParams({
        username: this.config.username,
        password: this.config.password,
      }),
    });
    if (!res.ok) {
      throw new Error(`ZenML login failed: ${res.status} ${res.statusText}`);
    }
    return (await res.json()).access_token;
  }

  /** One request within the time bound, which a timeout names. */
  private async fetch(
    what: string,
    path: string,
    init: RequestInit,
  ): Promise<Response> {
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      return await fetch(`${this.config.baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if ((e as Error)?.name === 'TimeoutError') {
        throw new Error(`ZenML ${what} did not answer within ${timeoutMs} ms`);
      }
      throw e;
    }
  }

  private async get(path: string, retried = false): Promise<unknown> {
    this.token ??= this.login();
    let token: string;
    try {
      token = await this.token;
    } catch (e) {
      this.token = undefined;
      throw e;
    }
    const res = await this.fetch(`GET ${path}`, path, {
      headers: { authorization: `Bearer ${token}` },
    });
    // Tokens expire: log in again once.
    if (res.status === 401 && !retried) {
      this.token = undefined;
      return this.get(path, true);
    }
    if (!res.ok) {
      throw new Error(
        `ZenML GET ${path} failed: ${res.status} ${res.statusText}`,
      );
    }
    return res.json();
  }
}
