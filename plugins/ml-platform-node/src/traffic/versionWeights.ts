import { InputError } from '@backstage/errors';
import type { TrafficChange } from '../types';

/**
 * The weights of a change with every version the object can route to:
 * versions left out get 0, versions it cannot route to are refused.
 * @public
 */
export function completeWeights(
  routable: string[],
  requested: Record<string, number>,
  where: string,
): Record<string, number> {
  const unknown = Object.keys(requested).filter(v => !routable.includes(v));
  if (unknown.length > 0) {
    throw new InputError(
      `weights: version${unknown.length > 1 ? 's' : ''} ${unknown.join(
        ', ',
      )} cannot get traffic from ${where}, which routes to version${
        routable.length === 1 ? '' : 's'
      } ${routable.join(', ') || '(none)'}`,
    );
  }
  return Object.fromEntries(routable.map(v => [v, requested[v] ?? 0]));
}

/**
 * A version's share in whole percent, for objects that only take whole
 * percentages (Argo steps, KServe canaryTrafficPercent).
 * @public
 */
export function wholePercent(
  weights: Record<string, number>,
  version: string,
  where: string,
): number {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const percent = ((weights[version] ?? 0) * 100) / total;
  if (!Number.isInteger(percent)) {
    throw new InputError(
      `weights: ${where} takes whole percentages only, and version ${version} would get ${percent.toFixed(
        2,
      )} %`,
    );
  }
  return percent;
}

/**
 * The versions that get traffic.
 * @public
 */
export function serving(weights: Record<string, number>): string[] {
  return Object.keys(weights).filter(v => weights[v] > 0);
}

/**
 * The complete weights a change asks of an object that only takes weights
 * (HTTPRoute, KServe): promote gives one version everything, Argo Rollouts'
 * own actions are refused, and so is a split that serves no version.
 * @public
 */
export function weightsOfChange(
  routable: string[],
  change: TrafficChange,
  where: string,
): Record<string, number> {
  if (change.type === 'abort' || change.type === 'retry') {
    throw new InputError(
      `strategy: ${change.type} is an action of Argo Rollouts; ${where} has no such action`,
    );
  }
  const weights = completeWeights(
    routable,
    change.type === 'promote' ? { [change.version]: 100 } : change.weights,
    where,
  );
  if (serving(weights).length === 0) {
    throw new InputError('weights: at least one version must get traffic');
  }
  return weights;
}
