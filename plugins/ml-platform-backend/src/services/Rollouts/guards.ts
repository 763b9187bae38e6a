import { InputError, NotAllowedError } from '@backstage/errors';
import type {
  ModelVersion,
  SafetyGatePolicy,
  ServingTarget,
} from '@mlplatform/plugin-ml-platform-common';
import { assertMayServe } from '../SafetyGate';
import { splitPercentages } from '@mlplatform/plugin-ml-platform-node';

/** Every version a request names must be a version of the model in its registry. */
export function checkKnownVersions(
  field: string,
  named: string[],
  versions: ModelVersion[],
  model: string,
) {
  const known = new Set(versions.map(v => v.version));
  const unknown = named.filter(v => !known.has(v));
  if (unknown.length > 0) {
    throw new InputError(
      `${field}: version ${unknown.join(', ')} ${
        unknown.length > 1 ? 'are not versions' : 'is not a version'
      } of model '${model}' in its registry`,
    );
  }
}

function percents(weights: Record<string, number>, versions: string[]) {
  const p = splitPercentages(versions.map(v => weights[v] ?? 0));
  return new Map(versions.map((v, i) => [v, p[i]]));
}

/**
 * Only versions the serving gate passes may gain traffic: loading any other
 * can run code the model's author chose (or cannot be shown not to).
 * Lowering a version's share, down to taking it out, is always allowed: that
 * is how one gets rid of it.
 */
export function checkSafety(options: {
  current: Record<string, number>;
  /** Undefined when the Rollout's steps decide: then any version but the one serving all may gain. */
  intended?: Record<string, number>;
  versions: ModelVersion[];
  model: string;
  target: ServingTarget;
  policy: SafetyGatePolicy;
}) {
  const { current, intended, versions, model, target, policy } = options;
  const all = [
    ...new Set([...Object.keys(current), ...Object.keys(intended ?? {})]),
  ];
  const before = percents(current, all);
  const after = intended ? percents(intended, all) : undefined;
  const gaining = all.filter(v =>
    after ? after.get(v)! > before.get(v)! : before.get(v)! < 100,
  );
  for (const v of gaining) {
    assertMayServe({
      version: versions.find(mv => mv.version === v),
      model,
      versionName: v,
      target,
      policy,
      what: 'more traffic',
    });
  }
}

/**
 * Argo CD and Flux revert a direct write at their next sync, so such objects
 * are only written where the config says so, for a cluster whose GitOps tool
 * is set not to revert them (e.g. `ignoreDifferences` on the weights).
 */
export function checkGitOps(options: {
  managedBy?: string;
  cluster: string;
  what: string;
  allowed: Set<string>;
}) {
  const { managedBy, cluster, what, allowed } = options;
  if (!managedBy || managedBy.startsWith('rollout:')) return;
  if (allowed.has(cluster)) return;
  const [tool, owner] = [
    managedBy.split(':')[0],
    managedBy.slice(managedBy.indexOf(':') + 1),
  ];
  const name =
    tool === 'argocd' ? `Argo CD application '${owner}'` : `Flux ${owner}`;
  throw new NotAllowedError(
    `${what} is managed by the ${name}: its next sync would revert a direct change. ` +
      'Change the traffic in Git instead, or allow direct writes for this cluster with ' +
      `mlPlatform.rollouts.clusters[{ name: ${cluster}, allowGitOpsManaged: true }].`,
  );
}
