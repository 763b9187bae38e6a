import { KubeConfig } from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterStatus } from '@mlplatform/plugin-ml-platform-common';
import { KindWatch, type RetryOptions } from './KindWatch';
import type { WatchableCluster } from '@mlplatform/plugin-ml-platform-node';
import type { ClusterObjects } from './types';
import { WATCHED_KINDS, type WatchedKind } from './watchedKinds';

/**
 * The watches of one cluster, one per kind. Every read is answered from the
 * informers' memory.
 */
export class ClusterWatcher {
  private readonly kinds: KindWatch[];
  private changes = 0;

  constructor(
    readonly cluster: WatchableCluster,
    retry: RetryOptions,
    logger: LoggerService,
    /** Called after every change that bumps the generation. */
    onChange: () => void = () => {},
  ) {
    const kubeConfig = kubeConfigFor(cluster);
    this.kinds = WATCHED_KINDS.map(
      kind =>
        new KindWatch(cluster.name, kubeConfig, kind, retry, logger, () => {
          this.changes += 1;
          onChange();
        }),
    );
  }

  /** Counts every change of objects or status, so readers can reuse a result computed at the same count. */
  get generation(): number {
    return this.changes;
  }

  /** Resolves when every kind has listed once or failed once. */
  async start(): Promise<void> {
    await Promise.all(this.kinds.map(k => k.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.kinds.map(k => k.stop()));
  }

  objects(): ClusterObjects {
    const objects: Partial<Record<keyof ClusterObjects, unknown[]>> = {};
    for (const kind of this.kinds) {
      objects[kind.kind.key] = kind.objects();
    }
    return objects as ClusterObjects;
  }

  /** One kind's objects, from memory. */
  objectsOf<K extends keyof ClusterObjects>(
    key: K,
  ): NonNullable<ClusterObjects[K]> {
    const kind = this.kinds.find(k => k.kind.key === key);
    return (kind?.objects() ?? []) as NonNullable<ClusterObjects[K]>;
  }

  status(): ClusterStatus {
    const states = this.kinds.map(k => ({ kind: k.kind, ...k.status() }));
    // Kinds that fail the same way (a cluster that is down) are named in one sentence.
    const byError = new Map<string, string[]>();
    for (const s of states) {
      if (s.error) {
        byError.set(s.error, [
          ...(byError.get(s.error) ?? []),
          kindName(s.kind),
        ]);
      }
    }
    const pending = states.filter(s => !s.synced && !s.error);
    const errors = [...byError].map(
      ([error, plurals]) => `${plurals.join(', ')}: ${error}`,
    );
    if (pending.length > 0) {
      errors.push(
        `not synced yet: ${pending.map(s => kindName(s.kind)).join(', ')}`,
      );
    }
    const listed = states.every(s => s.listedAt)
      ? Math.max(...states.map(s => s.listedAt!.getTime()))
      : undefined;
    return {
      name: this.cluster.name,
      ok: errors.length === 0,
      ...(errors.length > 0 && { error: errors.join('; ') }),
      ...(listed !== undefined && { syncedAt: new Date(listed).toISOString() }),
    };
  }
}

function kindName(kind: WatchedKind): string {
  return kind.name ?? kind.plural;
}

/**
 * A client configuration for one configured cluster. The token is asked for
 * on every request and watch connection, so a rotated in-cluster token is
 * picked up without a restart.
 */
export function kubeConfigFor(cluster: WatchableCluster): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.addAuthenticator({
    isAuthProvider: user => user.name === 'backstage',
    async applyAuthentication(_user, opts) {
      opts.headers = {
        ...opts.headers,
        Authorization: `Bearer ${cluster.getToken()}`,
      };
    },
  });
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caData,
        caFile: cluster.caFile,
        skipTLSVerify: cluster.skipTLSVerify,
      },
    ],
    users: [{ name: 'backstage' }],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'backstage' },
    ],
    currentContext: cluster.name,
  });
  return kubeConfig;
}
