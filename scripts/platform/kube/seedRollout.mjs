import { Fatal, sleep } from './fatal.mjs';
import { isNotFound } from './connect.mjs';

const ROLLOUTS = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};
const REPLICA_SETS = { group: 'apps', version: 'v1', plural: 'replicasets' };
/** Real pods pull their image and load a model first; the first start pulls ~0.5 GB per image. */
export const SERVING_READY_SECONDS = 420;

/** A value of the controller's status in a message; absent as the first seeds said it. */
const said = value => (value === undefined || value === null ? 'None' : value);

/** The Rollout with its stable and current version, read from its ReplicaSets' labels. */
async function rolloutVersions(kube, namespace, name) {
  const rollout = await kube.client.get(ROLLOUTS, namespace, name);
  const st = rollout.status ?? {};
  const versionOfHash = new Map();
  for (const rs of await kube.client.list(REPLICA_SETS, { namespace })) {
    const labels = rs.metadata.labels ?? {};
    if ('rollouts-pod-template-hash' in labels) {
      versionOfHash.set(
        labels['rollouts-pod-template-hash'],
        labels['ml-platform.io/model-version'],
      );
    }
  }
  return {
    stable: versionOfHash.get(st.stableRS),
    current: versionOfHash.get(st.currentPodHash),
    rollout,
  };
}

async function waitRollout(kube, namespace, name, check, what) {
  const deadline = Date.now() + SERVING_READY_SECONDS * 1000;
  for (;;) {
    const { stable, current, rollout } = await rolloutVersions(
      kube,
      namespace,
      name,
    );
    const st = rollout.status ?? {};
    if (check(stable, current, st)) return;
    if (Date.now() > deadline) {
      throw new Fatal(
        `Rollout ${namespace}/${name} not ${what} after ${SERVING_READY_SECONDS}s: ` +
          `phase ${said(st.phase)}, step ${said(st.currentStepIndex)}, ${
            st.message ?? ''
          } (stable v${said(stable)}, current v${said(current)}); ` +
          "see the rollouts controller's log",
      );
    }
    await sleep(1000);
  }
}

/** Deletes the object and waits until it is gone (its dependents first). */
export async function deleteAndWait(kube, obj, seconds = 120) {
  await kube.delete(obj, { propagationPolicy: 'Foreground' });
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      await kube.get(obj);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await sleep(500);
  }
  throw new Fatal(
    `${obj.kind} ${obj.metadata.name} not deleted after ${seconds}s`,
  );
}

/**
 * Brings the Rollout to the demo's state through its controller: stable at
 * stableV, the canary of canaryV paused at step `index`. A Rollout elsewhere
 * (a test or a demo moved it) is made anew.
 */
export async function seedRollout(
  kube,
  { atStable, atCanary, stableV, canaryV, index },
) {
  const { namespace, name } = atStable.metadata;
  const atDemoState = (stable, current, st) =>
    stable === String(stableV) &&
    current === String(canaryV) &&
    st.currentStepIndex === index &&
    st.phase === 'Paused';

  let found;
  try {
    found = await rolloutVersions(kube, namespace, name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  // A status an earlier seed wrote in the controller's stead (before serving)
  // is not the controller's: such a Rollout is made anew too.
  const seeded = (found?.rollout.metadata.managedFields ?? []).some(
    f => f.subresource === 'status' && f.manager === 'argo-rollouts',
  );
  if (
    found &&
    !seeded &&
    atDemoState(found.stable, found.current, found.rollout.status ?? {})
  ) {
    await kube.apply(atCanary); // takes back any other field a test changed
    return;
  }
  if (found) await deleteAndWait(kube, atStable);
  await kube.apply(atStable);
  await waitRollout(
    kube,
    namespace,
    name,
    (s, c, st) => s === String(stableV) && c === s && st.phase === 'Healthy',
    `Healthy at v${stableV}`,
  );
  await kube.apply(atCanary);
  await waitRollout(
    kube,
    namespace,
    name,
    atDemoState,
    `paused at step ${index} with v${canaryV}`,
  );
  console.error(
    `    Rollout ${namespace}/${name}: stable v${stableV}, canary v${canaryV} paused at step ${index}`,
  );
}
