import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { describeKubeError, statusOf } from './describeKubeError';
import { collectionPath, type WatchedKind } from './watchedKinds';

/** How a kind's watch retries. */
export interface RetryOptions {
  /** First delay after an error; doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often to look again for a kind whose CRD is not installed. */
  notInstalledRecheckMs: number;
}

/** What one kind's watch reports to its cluster. */
export interface KindState {
  /** A list succeeded (or the kind is not installed): the cache is usable. */
  synced: boolean;
  notInstalled: boolean;
  error?: string;
  listedAt?: Date;
}

/** Thrown into the informer so that a list finishing after stop() opens no watch. */
class WatchStoppedError extends Error {
  constructor() {
    super('watch stopped');
  }
}

/**
 * A Watch that can also close connections still being opened: the informer
 * only learns of a watch request once it is connected, so its own stop()
 * misses one that is connecting. Also tells when a watch (re)connected, which
 * is the moment an earlier error is over.
 */
class ClosableWatch extends Watch {
  private readonly open = new Set<AbortController>();
  private closed = false;

  constructor(config: KubeConfig, private readonly onConnected: () => void) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    const controller = await super.watch(path, queryParams, callback, done);
    if (this.closed) {
      controller.abort();
    } else if (!controller.signal.aborted) {
      this.open.add(controller);
      controller.signal.addEventListener('abort', () =>
        this.open.delete(controller),
      );
      this.onConnected();
    }
    return controller;
  }

  close() {
    this.closed = true;
    for (const controller of this.open) controller.abort();
  }
}

/**
 * One list+watch of one resource kind in one cluster: the informer of
 * `@kubernetes/client-node` (what `makeInformer` builds, with a closable
 * Watch), restarted with exponential backoff after errors because the
 * informer itself gives up on the first one. A restart resumes the watch from
 * the last resourceVersion; when the apiserver no longer has it (410) the
 * informer lists again.
 */
export class KindWatch {
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly watch: ClosableWatch;
  private readonly pendingLists = new Set<Promise<unknown>>();
  private stopped = true;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private state: KindState = { synced: false, notInstalled: false };
  private firstOutcome!: Promise<void>;
  private reportFirstOutcome!: () => void;

  constructor(
    private readonly clusterName: string,
    kubeConfig: KubeConfig,
    readonly kind: WatchedKind,
    private readonly retry: RetryOptions,
    private readonly logger: LoggerService,
    private readonly onChange: () => void,
  ) {
    this.watch = new ClosableWatch(kubeConfig, () => this.recovered());
    this.informer = new ListWatch(
      collectionPath(kind),
      this.watch,
      this.guardedList(lister(kubeConfig, kind)),
      false,
      kind.labelSelector,
    );
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.informer.on(verb, () => this.changed());
    }
    this.informer.on('error', err => this.failed(err));
  }

  /** Starts listing and watching; resolves after the first list succeeded or failed. */
  start(): Promise<void> {
    this.stopped = false;
    this.firstOutcome = new Promise(resolve => {
      this.reportFirstOutcome = resolve;
    });
    void this.informer.start();
    return this.firstOutcome;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.informer.stop();
    this.watch.close();
    await Promise.allSettled([...this.pendingLists]);
    this.reportFirstOutcome?.();
  }

  objects(): KubernetesObject[] {
    return this.state.notInstalled ? [] : [...this.informer.list()];
  }

  status(): KindState {
    return this.state;
  }

  private guardedList(
    list: () => Promise<KubernetesListObject<KubernetesObject>>,
  ) {
    return async () => {
      const pending = list();
      this.pendingLists.add(pending);
      try {
        const result = await pending;
        if (this.stopped) throw new WatchStoppedError();
        this.state = {
          synced: true,
          notInstalled: false,
          listedAt: new Date(),
        };
        this.failures = 0;
        // After the informer has stored the items, which it does right after we return.
        setImmediate(() => {
          this.onChange();
          this.reportFirstOutcome();
        });
        return result;
      } finally {
        this.pendingLists.delete(pending);
      }
    };
  }

  private changed() {
    this.onChange();
  }

  private recovered() {
    if (this.state.error) {
      this.logger.info(
        `Model deployments: watch of ${this.kind.plural} in cluster '${this.clusterName}' reconnected`,
      );
      this.state = { ...this.state, error: undefined };
      this.failures = 0;
      this.onChange();
    }
  }

  private failed(error: unknown) {
    if (this.stopped || error instanceof WatchStoppedError) return;
    if (statusOf(error) === 404) {
      // The CRD is not installed: no objects of this kind, and no error.
      if (!this.state.notInstalled) {
        this.logger.info(
          `Model deployments: cluster '${this.clusterName}' has no ${this.kind.plural}.${this.kind.group}; looking again in ${this.retry.notInstalledRecheckMs} ms`,
        );
      }
      this.state = { synced: true, notInstalled: true, listedAt: new Date() };
      this.scheduleRestart(this.retry.notInstalledRecheckMs);
    } else {
      this.failures += 1;
      const delay = Math.min(
        this.retry.maxBackoffMs,
        this.retry.initialBackoffMs * 2 ** (this.failures - 1),
      );
      const message = describeKubeError(error);
      this.logger.warn(
        `Model deployments: ${this.kind.plural} in cluster '${this.clusterName}' failed (${message}); retrying in ${delay} ms`,
      );
      this.state = { ...this.state, error: message };
      // Jitter, so that the watches of a cluster that came back do not all hit it at once.
      this.scheduleRestart(delay * (0.8 + Math.random() * 0.4));
    }
    this.onChange();
    this.reportFirstOutcome();
  }

  private scheduleRestart(delayMs: number) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.informer.start();
    }, delayMs);
  }
}

/** The list call the informer makes before it watches. */
function lister(
  kubeConfig: KubeConfig,
  kind: WatchedKind,
): () => Promise<KubernetesListObject<KubernetesObject>> {
  const labelSelector = kind.labelSelector;
  if (kind.group === '') {
    if (kind.plural !== 'services') {
      throw new Error(`No lister for core resource ${kind.plural}`);
    }
    const core = kubeConfig.makeApiClient(CoreV1Api);
    return () => core.listServiceForAllNamespaces({ labelSelector });
  }
  // The custom objects API lists any group's resources as plain JSON.
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return () =>
    custom.listClusterCustomObject({
      group: kind.group,
      version: kind.version,
      plural: kind.plural,
      labelSelector,
    });
}
