import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterStatus } from '@mlplatform/plugin-ml-platform-common';
import type {
  KubeClient,
  ResourceWatch,
  WatchRetryOptions,
} from '@mlplatform/plugin-ml-platform-node';
import type { ClusterObjects } from './types';
import { WATCHED_KINDS, type WatchedKind } from './watchedKinds';

/**
 * The watches of one cluster, one per kind. Every read is answered from the
 * informers' memory.
 */
export class ClusterWatcher {
  private readonly kinds: Array<{ kind: WatchedKind; watch: ResourceWatch }>;
  private changes = 0;
  /** The cluster's configured name. */
  readonly name: string;

  constructor(
    client: KubeClient,
    retry: WatchRetryOptions,
    logger: LoggerService,
    /** Called after every change that bumps the generation. */
    onChange: () => void = () => {},
  ) {
    this.name = client.cluster;
    this.kinds = WATCHED_KINDS.map(kind => ({
      kind,
      watch: client.watch(kind, {
        labelSelector: kind.labelSelector,
        retry,
        logger,
        logPrefix: 'Model deployments',
        onChange: () => {
          this.changes += 1;
          onChange();
        },
      }),
    }));
  }

  /** Counts every change of objects or status, so readers can reuse a result computed at the same count. */
  get generation(): number {
    return this.changes;
  }

  /** Resolves when every kind has listed once or failed once. */
  async start(): Promise<void> {
    await Promise.all(this.kinds.map(k => k.watch.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.kinds.map(k => k.watch.stop()));
  }

  objects(): ClusterObjects {
    const objects: Partial<Record<keyof ClusterObjects, unknown[]>> = {};
    for (const { kind, watch } of this.kinds) {
      objects[kind.key] = watch.objects();
    }
    return objects as ClusterObjects;
  }

  /** One kind's objects, from memory. */
  objectsOf<K extends keyof ClusterObjects>(
    key: K,
  ): NonNullable<ClusterObjects[K]> {
    const found = this.kinds.find(k => k.kind.key === key);
    return (found?.watch.objects() ?? []) as NonNullable<ClusterObjects[K]>;
  }

  status(): ClusterStatus {
    const states = this.kinds.map(k => ({ kind: k.kind, ...k.watch.state() }));
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
      name: this.name,
      ok: errors.length === 0,
      ...(errors.length > 0 && { error: errors.join('; ') }),
      ...(listed !== undefined && { syncedAt: new Date(listed).toISOString() }),
    };
  }
}

function kindName(kind: WatchedKind): string {
  return kind.name ?? kind.plural;
}
