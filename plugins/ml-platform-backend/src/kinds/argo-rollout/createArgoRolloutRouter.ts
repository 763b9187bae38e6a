import { ConflictError, ForwardedError } from '@backstage/errors';
import {
  POD_TEMPLATE_HASH,
  guardOfReading,
  guardedJsonPatch,
  type TrafficChange,
  type TrafficKindEnvironment,
  type TrafficObjectRef,
  type TrafficRouter,
  type TrafficSplit,
} from '@mlplatform/plugin-ml-platform-node';
import { type ArgoWrite, planRolloutWrites } from './planRolloutWrites';
import { type RolloutState, readRolloutState } from './readRolloutState';
import { ROLLOUTS } from './resources';
import type { Rollout } from './types';

/**
 * Argo Rollouts (canary strategy). The Rollout's controller owns the weights;
 * we move it the way `kubectl argo rollouts` does, with the same patches:
 * promote (`spec.paused`, `status.pauseConditions`, `status.currentStepIndex`),
 * promote --full (`status.promoteFull`), abort and retry (`status.abort`) and
 * undo (`spec.template` from the previous revision's ReplicaSet). A split is
 * reached by going to the canary step that sets that weight. Every write
 * carries the resourceVersion read, so it fails if the Rollout changed. The
 * Rollout is read live, its ReplicaSets come from the watch cache.
 */
export function createArgoRolloutRouter(
  env: TrafficKindEnvironment,
): TrafficRouter {
  async function apply(
    ref: TrafficObjectRef,
    state: RolloutState,
    change: TrafficChange,
    expectedResourceVersion: string | undefined,
  ): Promise<TrafficSplit> {
    const kube = env.client(ref.cluster);
    const where = `Argo Rollout ${ref.namespace}/${ref.name}`;
    const { writes, weights } = planRolloutWrites(state, change, where);
    let resourceVersion = guardOfReading(
      ROLLOUTS,
      ref,
      state.split.resourceVersion,
      expectedResourceVersion,
    );
    // Only promote of a Rollout paused both by hand (spec.paused) and at a
    // step sends two writes, as the kubectl plugin does; the second is
    // guarded by the first one's resourceVersion. If it fails, the first
    // one stands, and the error says so.
    for (const [index, write] of writes.entries()) {
      let written: Rollout;
      try {
        if (write.kind === 'undo') {
          const template = structuredClone(
            write.replicaSet.spec?.template ?? {},
          );
          delete template.metadata?.labels?.[POD_TEMPLATE_HASH];
          written = await guardedJsonPatch<Rollout>(
            kube,
            ROLLOUTS,
            ref,
            resourceVersion,
            [{ op: 'replace', path: '/spec/template', value: template }],
          );
        } else {
          const metadata = { resourceVersion };
          written = await kube.mergePatch<Rollout>(
            ROLLOUTS,
            ref.namespace,
            ref.name,
            write.kind === 'status'
              ? { metadata, status: write.status }
              : { metadata, spec: write.spec },
            write.kind === 'status' ? { subresource: 'status' } : {},
          );
        }
      } catch (error) {
        if (index === 0) throw error;
        throw partialWriteError(where, writes, index, error);
      }
      resourceVersion = written.metadata?.resourceVersion ?? '';
    }
    return {
      weights,
      resourceVersion,
      ...(state.split.managedBy && { managedBy: state.split.managedBy }),
    };
  }

  return {
    async readSplit(ref, model) {
      const state = await readRolloutState(
        env.client(ref.cluster),
        env.objects(ref.cluster),
        ref,
        model,
      );
      return {
        ...state.split,
        apply: (change, { expectedResourceVersion } = {}) =>
          apply(ref, state, change, expectedResourceVersion),
      };
    },
  };
}

function describeWrite(write: ArgoWrite): string {
  if (write.kind === 'undo') return "the previous revision's pod template";
  return `${write.kind} ${JSON.stringify(
    write.kind === 'status' ? write.status : write.spec,
  )}`;
}

/** The error of a later write, saying which earlier writes stand. */
function partialWriteError(
  where: string,
  writes: ArgoWrite[],
  failed: number,
  error: unknown,
): Error {
  const applied = writes.slice(0, failed).map(describeWrite).join(', ');
  const message = `${where}: ${failed} of ${
    writes.length
  } writes applied (${applied}); ${describeWrite(writes[failed])} was not`;
  if (error instanceof ConflictError) {
    return new ConflictError(
      `${message}: the Rollout changed after the first write. Read it again: promote again to finish.`,
    );
  }
  return new ForwardedError(message, error);
}
