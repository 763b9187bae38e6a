import { randomUUID } from 'node:crypto';
import type { ModelRegistryStatus } from '@mlplatform/plugin-ml-platform-common';
import { coalesce } from '../../lib/coalesce';
import type {
  RegistrySnapshot,
  RegistrySnapshotStore,
  SnapshotHead,
} from './types';

/** How one read of a registry ended: data only when it succeeded. */
export interface RegistryRead {
  status: ModelRegistryStatus;
  data?: Pick<RegistrySnapshot, 'models' | 'versions'>;
}

/**
 * Registry reads shared by the backend's replicas through the database.
 * @see createSharedRegistryReads
 */
export interface SharedRegistryReads {
  /**
   * Loads the first snapshot of every registry, reading those nobody has
   * read yet (one replica each).
   */
  start(): Promise<void>;
  /**
   * Resolves once a read of the registry that started after this call is
   * loaded here, whichever replica made it; this replica reads only when no
   * other one is reading.
   */
  refresh(registryId: string): Promise<void>;
  /** Loads what other replicas stored since the last call. */
  sync(): Promise<void>;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Coordinates registry reads across replicas: a replica claims a registry in
 * the database before reading it, stores what it read and releases the
 * claim; the others load the stored snapshot. A read asked for while
 * another replica reads (a webhook that arrived mid-read) is remembered in
 * the database, so a new read follows instead of the change being missed.
 */
export function createSharedRegistryReads(options: {
  store: RegistrySnapshotStore;
  registryIds: string[];
  /** Reads a registry; a failure is reported in the status, not thrown. */
  read: (registryId: string) => Promise<RegistryRead>;
  /** Puts a read into this replica's memory. */
  apply: (registryId: string, read: RegistryRead) => void;
  /** How long a claim holds: a replica that dies mid-read blocks no longer. */
  leaseMs: number;
  /** How often a replica waiting for another one's read looks again. */
  waitMs: number;
}): SharedRegistryReads {
  const { store, registryIds, read, apply, leaseMs, waitMs } = options;
  const loaded = new Map<string, { generation: number; dataHash?: string }>();
  const known = new Set(registryIds);
  let registered: Promise<void> | undefined;
  const register = () => (registered ??= store.register(registryIds));

  // A snapshot older than the one loaded is never applied over it.
  const isNewer = (registryId: string, generation: number) =>
    generation > (loaded.get(registryId)?.generation ?? -1);

  const sync = coalesce(async () => {
    for (const head of await store.heads()) {
      // Rows of registries this replica is not configured with are left to
      // the replicas that are.
      if (!known.has(head.registryId) || !head.status) continue;
      if (!isNewer(head.registryId, head.generation)) continue;
      const dataChanged =
        head.dataHash !== loaded.get(head.registryId)?.dataHash;
      const data = dataChanged ? await store.data(head.registryId) : undefined;
      if (!isNewer(head.registryId, head.generation)) continue;
      apply(head.registryId, { status: head.status, data });
      loaded.set(head.registryId, {
        generation: head.generation,
        dataHash: data?.dataHash ?? loaded.get(head.registryId)?.dataHash,
      });
    }
  });

  /** Reads the registry unless another replica is; false when one is. */
  async function readIfUnclaimed(registryId: string): Promise<boolean> {
    const claimId = randomUUID();
    const claim = await store.claim(registryId, claimId, leaseMs);
    if (!claim) return false;
    let result: RegistryRead;
    let written: Awaited<ReturnType<RegistrySnapshotStore['write']>>;
    try {
      result = await read(registryId);
      written = await store.write(registryId, claimId, {
        served: claim.requests,
        ...result,
      });
    } catch (e) {
      // Other replicas need not wait for the lease to lapse.
      await store.release(registryId, claimId).catch(() => undefined);
      throw e;
    }
    // Lost only when the read outlasted its lease and another replica has
    // read since: that read is as new, and is loaded by the next sync.
    if (written && isNewer(registryId, written.generation)) {
      apply(registryId, result);
      loaded.set(registryId, written);
    }
    return true;
  }

  async function headOf(registryId: string) {
    const head = (await store.heads()).find(h => h.registryId === registryId);
    if (!head) throw new Error(`No snapshot row for registry ${registryId}`);
    return head;
  }

  /** Waits, reading here when nobody else is, until `done` holds. */
  async function until(
    registryId: string,
    done: (head: SnapshotHead) => boolean,
  ) {
    const deadline = Date.now() + leaseMs + waitMs;
    for (;;) {
      const head = await headOf(registryId);
      if (done(head)) {
        await sync();
        return;
      }
      // After a read here, the next look finds it stored.
      if (!head.claimed && (await readIfUnclaimed(registryId))) continue;
      if (Date.now() > deadline) {
        throw new Error(
          `Model registry ${registryId} was not read within ${leaseMs} ms`,
        );
      }
      await sleep(waitMs);
    }
  }

  return {
    async start() {
      await register();
      await sync();
      await Promise.all(
        registryIds
          .filter(id => !loaded.has(id))
          .map(id => until(id, head => head.status !== undefined)),
      );
    },

    async refresh(registryId) {
      await register();
      const ticket = await store.requestRead(registryId);
      await until(registryId, head => head.served >= ticket);
    },

    sync,
  };
}
