import { DataCommitLink } from '@mlplatform/plugin-ml-platform-common';

/** How the backend reaches one lakeFS server. */
export interface LakefsConfig {
  baseUrl: string;
  /** Where people open the UI; defaults to baseUrl. */
  uiUrl: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** How long one request may take; defaults to 10 seconds. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

interface LakefsCommit {
  id: string;
  message?: string;
  committer?: string;
  creation_date?: number;
  metadata?: Record<string, string>;
}

/** A client of lakeFS's REST API, authenticated with an access key pair. */
export class LakefsClient {
  constructor(private readonly config: LakefsConfig) {}

  commitLink(repository: string, commitId: string): string {
    return `${this.config.uiUrl}/repositories/${encodeURIComponent(
      repository,
    )}/commits/${encodeURIComponent(commitId)}`;
  }

  async getCommit(
    repository: string,
    commitId: string,
  ): Promise<DataCommitLink> {
    const path = `/api/v1/repositories/${encodeURIComponent(
      repository,
    )}/commits/${encodeURIComponent(commitId)}`;
    const auth = Buffer.from(
      `${this.config.accessKeyId}:${this.config.secretAccessKey}`,
    ).toString('base64');
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let res: Response;
    try {
      res = await fetch(`${this.config.baseUrl}${path}`, {
        headers: { authorization: `Basic ${auth}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if ((e as Error)?.name === 'TimeoutError') {
        throw new Error(
          `lakeFS GET ${path} did not answer within ${timeoutMs} ms`,
        );
      }
      throw e;
    }
    if (!res.ok) {
      throw new Error(
        `lakeFS GET ${path} failed: ${res.status} ${res.statusText}`,
      );
    }
    const commit = (await res.json()) as LakefsCommit;
    return {
      repository,
      commitId: commit.id,
      message: commit.message,
      committer: commit.committer,
      committedAt:
        commit.creation_date !== undefined
          ? new Date(commit.creation_date * 1000).toISOString()
          : undefined,
      metadata: commit.metadata,
      link: this.commitLink(repository, commit.id),
    };
  }
}
