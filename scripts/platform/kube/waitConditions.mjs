import { Fatal, sleep } from './fatal.mjs';
import { isNotFound } from './connect.mjs';

const CRDS = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
};
const NODES = { group: '', version: 'v1', plural: 'nodes' };

/** The status of one of an object's conditions ("True", "False", "Unknown"), or undefined. */
export function conditionStatus(obj, type) {
  return (obj?.status?.conditions ?? []).find(c => c.type === type)?.status;
}

/**
 * Waits until each named cluster-scoped object of `resource` has `condition`
 * True; a missing one is waited for as well, and named so in the error.
 */
async function waitCondition(kube, what, resource, names, condition, seconds) {
  const deadline = Date.now() + seconds * 1000;
  const pending = new Set(names);
  for (;;) {
    const missing = new Set();
    for (const name of [...pending].sort()) {
      let obj;
      try {
        obj = await kube.client.get(resource, undefined, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        missing.add(name);
        continue;
      }
      if (conditionStatus(obj, condition) === 'True') pending.delete(name);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const left = [...pending]
        .sort()
        .map(n => (missing.has(n) ? `${n} (missing)` : n));
      throw new Fatal(
        `${what} not ${condition} after ${seconds}s: ${left.join(', ')}`,
      );
    }
    await sleep(500);
  }
}

/** Custom resources of a CRD can be applied only once it is Established. */
export function waitEstablished(kube, names, seconds = 60) {
  return waitCondition(kube, 'CRDs', CRDS, names, 'Established', seconds);
}

export function waitNodesReady(kube, names, seconds) {
  return waitCondition(kube, 'nodes', NODES, names, 'Ready', seconds);
}
