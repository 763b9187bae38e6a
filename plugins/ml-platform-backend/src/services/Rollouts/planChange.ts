import { InputError, NotFoundError } from '@backstage/errors';
import {
  type RolloutAuditRecord,
  type RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import type { TrafficChange } from '@mlplatform/plugin-ml-platform-node';
import { weightsOf } from './toRolloutSplit';

/** What a request asks of the router, and the weights it leads to when known beforehand. */
export interface PlannedChange {
  change: TrafficChange;
  /** Missing for the Argo actions, whose outcome the Rollout's steps decide. */
  intended?: Record<string, number>;
  /** Versions the request names, which must be versions of the model. */
  named: string[];
  /** The request field that names them. */
  field: string;
}

/**
 * The version a canary or promote names; `parseRolloutRequest` of the common
 * package has required it, so its absence is a caller's bug.
 */
function targetVersion(request: RolloutRequest): string {
  const version = request.target?.version;
  if (!version) {
    throw new Error(
      `A ${request.strategy} request reached planning without target.version`,
    );
  }
  return version;
}

/**
 * The canary's share in percent, the rest shared by the other versions in
 * their current proportions, as whole numbers that add up to 100.
 */
function canaryWeights(
  current: Record<string, number>,
  version: string,
  percent: number,
): Record<string, number> {
  const others = Object.keys(current).filter(v => v !== version);
  const total = others.reduce((sum, v) => sum + current[v], 0);
  const rest = 100 - percent;
  if (rest > 0 && total === 0) {
    throw new InputError(
      `target.percent: no other version serves traffic now to take the remaining ${rest} %; use the split strategy to name the versions`,
    );
  }
  const exact = others.map(v => (total ? (current[v] * rest) / total : 0));
  const shares = exact.map(Math.floor);
  let missing = rest - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, remainder: e - Math.floor(e) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (missing <= 0) break;
    shares[i] += 1;
    missing -= 1;
  }
  return {
    ...Object.fromEntries(others.map((v, i) => [v, shares[i]])),
    [version]: percent,
  };
}

/**
 * Turns a request, validated by `parseRolloutRequest`, into one change for
 * the router; what depends on the current split is checked here. `current` is the split read just now; `latest` the
 * newest succeeded rollout of the deployment, which a rollback undoes.
 */
export function planChange(
  request: RolloutRequest,
  current: Record<string, number>,
  latest: () => Promise<RolloutAuditRecord | undefined>,
): Promise<PlannedChange> | PlannedChange {
  switch (request.strategy) {
    case 'split': {
      const weights = { ...request.weights };
      return {
        change: { type: 'weights', weights },
        intended: {
          ...Object.fromEntries(Object.keys(current).map(v => [v, 0])),
          ...weights,
        },
        named: Object.keys(weights),
        field: 'weights',
      };
    }
    case 'canary': {
      const version = targetVersion(request);
      const percent = request.target?.percent ?? 0;
      const weights = canaryWeights(current, version, percent);
      return {
        change: { type: 'weights', weights },
        intended: weights,
        named: [version],
        field: 'target.version',
      };
    }
    case 'promote': {
      if (request.nextStepOnly) {
        return {
          change: {
            type: 'promote',
            version: request.target?.version ?? '',
            nextStepOnly: true,
          },
          named: [],
          field: 'target.version',
        };
      }
      const version = targetVersion(request);
      return {
        change: { type: 'promote', version },
        intended: {
          ...Object.fromEntries(Object.keys(current).map(v => [v, 0])),
          [version]: 100,
        },
        named: [version],
        field: 'target.version',
      };
    }
    case 'rollback':
      return latest().then(record => {
        if (!record?.before) {
          throw new NotFoundError(
            `No succeeded rollout of ${request.model} in ${request.cluster}/${request.namespace} is recorded, so there is no earlier split to restore`,
          );
        }
        const weights = weightsOf(record.before);
        return {
          change: { type: 'weights', weights },
          intended: {
            ...Object.fromEntries(Object.keys(current).map(v => [v, 0])),
            ...weights,
          },
          named: Object.keys(weights).filter(v => weights[v] > 0),
          field: 'the split recorded before the latest rollout',
        };
      });
    case 'abort':
    case 'retry':
      return {
        change: { type: request.strategy },
        named: [],
        field: 'strategy',
      };
    default:
      throw new InputError(
        `strategy: expected split, canary, promote, rollback, abort or retry, got ${JSON.stringify(
          (request as { strategy: unknown }).strategy,
        )}`,
      );
  }
}
