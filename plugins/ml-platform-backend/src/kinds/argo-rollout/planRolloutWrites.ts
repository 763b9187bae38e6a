import { InputError } from '@backstage/errors';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import {
  completeWeights,
  serving,
  wholePercent,
  type TrafficChange,
} from '@mlplatform/plugin-ml-platform-node';
import { weightAtStep } from './claimRollouts';
import type { RolloutState } from './readRolloutState';

/** One write the kubectl plugin would send. */
export type ArgoWrite =
  | { kind: 'status'; status: Record<string, unknown> }
  | { kind: 'spec'; spec: Record<string, unknown> }
  | { kind: 'undo'; replicaSet: V1ReplicaSet };

const steps = (state: RolloutState) =>
  state.rollout.spec?.strategy?.canary?.steps ?? [];

/** What `kubectl argo rollouts promote` (without --full) sends. */
function promoteNextStep(state: RolloutState): {
  writes: ArgoWrite[];
  canaryWeight: number;
} {
  const { rollout } = state;
  const writes: ArgoWrite[] = [];
  const index = rollout.status?.currentStepIndex ?? 0;
  let nextIndex = index;
  if ((rollout.status?.pauseConditions ?? []).length > 0) {
    writes.push({ kind: 'status', status: { pauseConditions: null } });
  } else if (steps(state).length > 0) {
    nextIndex = Math.min(index + 1, steps(state).length);
    writes.push({
      kind: 'status',
      status: { pauseConditions: null, currentStepIndex: nextIndex },
    });
  }
  if (rollout.spec?.paused) {
    writes.push({ kind: 'spec', spec: { paused: false } });
  }
  return { writes, canaryWeight: weightAtStep(steps(state), nextIndex) };
}

/** The writes that lead to a split, and the split they lead to. */
export function planRolloutWrites(
  state: RolloutState,
  change: TrafficChange,
  where: string,
): { writes: ArgoWrite[]; weights: Record<string, number> } {
  const routable = Object.keys(state.split.weights);
  const only = (version: string) =>
    Object.fromEntries(routable.map(v => [v, v === version ? 100 : 0]));
  const { stable, canary, inProgress } = state;

  if (change.type === 'abort' || change.type === 'retry') {
    if (!inProgress || !stable || !canary) {
      throw new InputError(
        `strategy: ${where} has no canary under way to ${change.type}`,
      );
    }
    const abort = change.type === 'abort';
    const canaryWeight = abort ? 0 : weightAtStep(steps(state), 0);
    return {
      writes: [{ kind: 'status', status: { abort } }],
      weights: {
        ...only(stable),
        [canary]: canaryWeight,
        [stable]: 100 - canaryWeight,
      },
    };
  }
  if (change.type === 'promote' && change.nextStepOnly) {
    if (!inProgress || !stable || !canary) {
      throw new InputError(
        `strategy: ${where} has no canary under way to promote`,
      );
    }
    const next = promoteNextStep(state);
    return {
      writes: next.writes,
      weights: {
        ...only(stable),
        [canary]: next.canaryWeight,
        [stable]: 100 - next.canaryWeight,
      },
    };
  }

  const weights = completeWeights(
    routable,
    change.type === 'promote' ? { [change.version]: 100 } : change.weights,
    where,
  );
  const targets = serving(weights);
  if (targets.length === 1) {
    const [version] = targets;
    if (inProgress && version === canary) {
      return {
        writes: [{ kind: 'status', status: { promoteFull: true } }],
        weights: only(version),
      };
    }
    if (inProgress && version === stable) {
      return {
        writes: [{ kind: 'status', status: { abort: true } }],
        weights: only(version),
      };
    }
    if (!inProgress && version === stable) {
      return { writes: [], weights: only(version) };
    }
    const previous = state.revisions.get(version);
    if (!inProgress && previous) {
      return {
        writes: [{ kind: 'undo', replicaSet: previous }],
        weights: only(version),
      };
    }
  }
  if (
    targets.length === 2 &&
    inProgress &&
    stable &&
    canary &&
    targets.includes(stable) &&
    targets.includes(canary)
  ) {
    const percent = wholePercent(weights, canary, where);
    const index = steps(state).findIndex(s => s.setWeight === percent);
    if (index < 0) {
      const offered = steps(state).flatMap(s =>
        s.setWeight === undefined ? [] : [s.setWeight],
      );
      throw new InputError(
        `weights: ${where} can give its canary (version ${canary}) only the weights of its steps: ${
          offered.join(', ') || 'none'
        } %, not ${percent} %`,
      );
    }
    return {
      writes: [
        {
          kind: 'status',
          status: { pauseConditions: null, currentStepIndex: index },
        },
      ],
      weights,
    };
  }
  throw new InputError(
    `weights: ${where} sends traffic to its stable version${
      stable ? ` (${stable})` : ''
    } and, during a canary, to its canary version${
      canary && inProgress ? ` (${canary})` : ''
    }; it cannot route ${targets
      .map(v => `${weights[v]} to version ${v}`)
      .join(' and ')}`,
  );
}
