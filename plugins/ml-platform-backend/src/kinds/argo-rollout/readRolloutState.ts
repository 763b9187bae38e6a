import { InputError } from '@backstage/errors';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import {
  MODEL_REPLICA_SETS,
  POD_TEMPLATE_HASH,
  gitOpsOwner,
  modelVersionOf,
  watchedObjectsOf,
  type KubeClient,
  type TrafficObjectRef,
  type TrafficSplit,
  type WatchedObjects,
} from '@mlplatform/plugin-ml-platform-node';
import { claimRollouts } from './claimRollouts';
import { ROLLOUTS } from './resources';
import type { Rollout } from './types';

/** Where Argo Rollouts records the revision of each of a Rollout's ReplicaSets. */
const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';

/** A Rollout as read right now, with the versions of its ReplicaSets. */
export interface RolloutState {
  rollout: Rollout & { spec?: { template?: unknown } };
  stable?: string;
  canary?: string;
  /** A canary is under way: the current pod template is not the stable one. */
  inProgress: boolean;
  /** The newest ReplicaSet of each version the Rollout owns. */
  revisions: Map<string, V1ReplicaSet>;
  split: TrafficSplit;
}

function revisionOf(rs: V1ReplicaSet): number {
  return Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
}

/**
 * Reads a Rollout live and the model's ReplicaSets from the watch cache; the
 * split is the catalog's reading, with every older revision the Rollout owns
 * at 0. A ReplicaSet the cache does not hold yet (the controller made it a
 * moment ago for a new revision) leaves its version out: a change naming it,
 * or needing the canary, is refused, and nothing is written. The pod template
 * an undo writes is a ReplicaSet's own, which its revision never changes.
 */
export async function readRolloutState(
  kube: KubeClient,
  objects: WatchedObjects,
  ref: TrafficObjectRef,
  model: string,
): Promise<RolloutState> {
  // The template hash of a revision is the same in every namespace it runs in.
  const replicaSets = objects
    .list<V1ReplicaSet>(MODEL_REPLICA_SETS)
    .filter(rs => rs.metadata?.namespace === ref.namespace);
  const rollout = await kube.get<RolloutState['rollout']>(
    ROLLOUTS,
    ref.namespace,
    ref.name,
  );
  // The catalog's own reading of the Rollout, so both show the same split.
  const [claim] = claimRollouts(
    watchedObjectsOf([
      [ROLLOUTS, [rollout]],
      [MODEL_REPLICA_SETS, replicaSets],
    ]),
  ).filter(c => c.model === model);
  if (!claim) {
    throw new InputError(
      `Argo Rollout ${ref.namespace}/${ref.name} does not serve model '${model}'`,
    );
  }
  const versionOfHash = (hash?: string) => {
    const rs = replicaSets.find(
      r => hash && r.metadata?.labels?.[POD_TEMPLATE_HASH] === hash,
    );
    return modelVersionOf(rs?.metadata?.labels)?.version;
  };
  const uid = rollout.metadata?.uid;
  const revisions = new Map<string, V1ReplicaSet>();
  for (const rs of replicaSets) {
    const owned = rs.metadata?.ownerReferences?.some(
      o => o.controller && o.uid === uid,
    );
    const target = modelVersionOf(rs.metadata?.labels);
    if (!owned || target?.model !== model) continue;
    const known = revisions.get(target.version);
    if (!known || revisionOf(rs) > revisionOf(known)) {
      revisions.set(target.version, rs);
    }
  }

  const status = rollout.status ?? {};
  const weights: Record<string, number> = {};
  for (const version of revisions.keys()) weights[version] = 0;
  for (const v of claim.versions) weights[v.version] = v.weight;
  const managedBy = gitOpsOwner(rollout.metadata);
  return {
    rollout,
    stable: versionOfHash(status.stableRS),
    canary: versionOfHash(status.currentPodHash),
    inProgress:
      !!status.stableRS &&
      !!status.currentPodHash &&
      status.stableRS !== status.currentPodHash,
    revisions,
    split: {
      weights,
      resourceVersion: rollout.metadata?.resourceVersion ?? '',
      ...(managedBy && { managedBy }),
    },
  };
}
