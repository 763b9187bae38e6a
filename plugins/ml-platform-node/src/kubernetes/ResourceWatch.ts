import {
  KubeConfig,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { describeKubeError, kubeStatusOf } from './kubeErrors';
import type { KubeResource } from './KubeClient';
import { resourcePath } from './resourcePath';

/**
 * How a watch retries.
 * @public
 */
export interface WatchRetryOptions {
  /** First delay after an error; doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often to look again for a kind whose CRD is not installed. */
  notInstalledRecheckMs: number;
}

/**
 * What one watch reports.
 * @public
 */
export interface WatchState {
  /** A list succeeded (or the kind is not installed): the cache is usable. */
  synced: boolean;
  notInstalled: boolean;
  error?: string;
  listedAt?: Date;
}

/** Written by `kubectl apply`: a full copy of the object, never read here. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the cache keeps of an object: all but `metadata.managedFields` and
 * kubectl's last-applied copy, which often outweigh the rest and are never
 * read. Every replica caches every watched object of every cluster.
 */
function slimmed<T extends KubernetesObject>(object: T): T {
  const metadata = object?.metadata;
  if (!metadata) return object;
  delete metadata.managedFields;
  if (metadata.annotations) delete metadata.annotations[LAST_APPLIED];
  return object;
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
    const controller = await super.watch(
      path,
      queryParams,
      (phase, apiObj, watchObj) => callback(phase, slimmed(apiObj), watchObj),
      done,
    );
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
 * What to watch and whom to tell.
 * @public
 */
export interface ResourceWatchOptions {
  labelSelector?: string;
  retry: WatchRetryOptions;
  logger: LoggerService;
  /** Called after every change of the objects or of the state. */
  onChange?: () => void;
  /** Starts every log line, e.g. `Model deployments`. */
  logPrefix?: string;
}

/**
 * A list+watch of one resource in every namespace of one cluster, kept in
 * memory.
 * @public
 */
export interface ResourceWatch {
  readonly resource: KubeResource;
  /** Starts listing and watching; resolves after the first list succeeded or failed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The objects as last seen; none while the resource is not served. */
  objects(): KubernetesObject[];
  state(): WatchState;
}

/**
 * One list+watch of one resource in one cluster: the informer of
 * `@kubernetes/client-node` (what `makeInformer` builds, with a closable
 * Watch), restarted with exponential backoff after errors because the
 * informer itself gives up on the first one. A restart resumes the watch from
 * the last resourceVersion; when the apiserver no longer has it (410) the
 * informer lists again. The list goes through the cluster's client, so it
 * has its timeout and retries.
 */
export class InformerWatch implements ResourceWatch {
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly watch: ClosableWatch;
  private readonly pendingLists = new Set<Promise<unknown>>();
  private readonly retry: WatchRetryOptions;
  private readonly logger: LoggerService;
  private readonly onChange: () => void;
  private readonly prefix: string;
  private stopped = true;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private current: WatchState = { synced: false, notInstalled: false };
  private firstOutcome!: Promise<void>;
  private reportFirstOutcome!: () => void;

  constructor(
    private readonly clusterName: string,
    kubeConfig: KubeConfig,
    readonly resource: KubeResource,
    list: () => Promise<KubernetesListObject<KubernetesObject>>,
    options: ResourceWatchOptions,
  ) {
    this.retry = options.retry;
    this.logger = options.logger;
    this.onChange = options.onChange ?? (() => {});
    this.prefix = options.logPrefix ?? 'Kubernetes';
    this.watch = new ClosableWatch(kubeConfig, () => this.recovered());
    this.informer = new ListWatch(
      resourcePath(resource),
      this.watch,
      this.guardedList(list),
      false,
      options.labelSelector,
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
    return this.current.notInstalled ? [] : [...this.informer.list()];
  }

  state(): WatchState {
    return this.current;
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
        result.items?.forEach(slimmed);
        this.current = {
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
    if (this.current.error) {
      this.logger.info(
        `${this.prefix}: watch of ${this.resource.plural} in cluster '${this.clusterName}' reconnected`,
      );
      this.current = { ...this.current, error: undefined };
      this.failures = 0;
      this.onChange();
    }
  }

  private failed(error: unknown) {
    if (this.stopped || error instanceof WatchStoppedError) return;
    if (kubeStatusOf(error)?.status === 404) {
      // The CRD is not installed: no objects of this kind, and no error.
      if (!this.current.notInstalled) {
        this.logger.info(
          `${this.prefix}: cluster '${this.clusterName}' has no ${this.resource.plural}.${this.resource.group}; looking again in ${this.retry.notInstalledRecheckMs} ms`,
        );
      }
      this.current = { synced: true, notInstalled: true, listedAt: new Date() };
      this.scheduleRestart(this.retry.notInstalledRecheckMs);
    } else {
      this.failures += 1;
      const delay = Math.min(
        this.retry.maxBackoffMs,
        this.retry.initialBackoffMs * 2 ** (this.failures - 1),
      );
      const message = describeKubeError(error);
      this.logger.warn(
        `${this.prefix}: ${this.resource.plural} in cluster '${this.clusterName}' failed (${message}); retrying in ${delay} ms`,
      );
      this.current = { ...this.current, error: message };
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
