import { InputError, NotFoundError } from '@backstage/errors';
import {
  MAX_ROLLOUT_WEIGHT,
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

function checkWeight(field: string, value: unknown, max: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > max
  ) {
    throw new InputError(
      `${field}: expected an integer from 0 to ${max}, got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

function targetVersion(request: RolloutRequest): string {
  const version = request.target?.version;
  if (typeof version !== 'string' || version.trim() === '') {
    throw new InputError(
      `target.version: the ${request.strategy} strategy needs the version to send traffic to`,
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
 * Turns a request into one change for the router, validating every field
 * before anything is sent. `current` is the split read just now; `latest` the
 * newest succeeded rollout of the deployment, which a rollback undoes.
 */
export function planChange(
  request: RolloutRequest,
  current: Record<string, number>,
  latest: () => Promise<RolloutAuditRecord | undefined>,
): Promise<PlannedChange> | PlannedChange {
  switch (request.strategy) {
    case 'split': {
      const entries = Object.entries(request.weights ?? {});
      if (entries.length === 0) {
        throw new InputError(
          'weights: name at least one version and its weight',
        );
      }
      const weights = Object.fromEntries(
        entries.map(([v, w]) => [
          v,
          checkWeight(`weights.${v}`, w, MAX_ROLLOUT_WEIGHT),
        ]),
      );
      if (entries.every(([, w]) => w === 0)) {
        throw new InputError('weights: at least one version must get traffic');
      }
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
      const percent = checkWeight(
        'target.percent',
        request.target?.percent,
        100,
      );
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
