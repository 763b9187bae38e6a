import { Fatal, sleep } from './fatal.mjs';
import { conditionStatus } from './waitConditions.mjs';

const REPLICA_SETS = { group: 'apps', version: 'v1', plural: 'replicasets' };
const PODS = { group: '', version: 'v1', plural: 'pods' };

const controllerUid = obj =>
  (obj.metadata.ownerReferences ?? []).find(ref => ref.controller)?.uid;

const isReady = pod =>
  pod.status?.phase === 'Running' &&
  conditionStatus(pod, 'Ready') === 'True' &&
  !pod.metadata.deletionTimestamp;

/**
 * Why a Deployment or ReplicaSet does not have all its pods Ready yet, or
 * undefined. Counts the Ready pods themselves, not only the status: seeds
 * before the controllers ran wrote a status that claims every pod Ready.
 */
function notReady(workload, replicaSets, pods) {
  const spec = workload.spec ?? {};
  const st = workload.status ?? {};
  const meta = workload.metadata;
  const want = spec.replicas ?? 1;
  if ((st.observedGeneration ?? 0) < meta.generation) {
    return 'its controller has not seen its latest spec';
  }
  let owners = new Set([meta.uid]);
  if (workload.kind === 'Deployment') {
    owners = new Set(
      replicaSets
        .filter(rs => controllerUid(rs) === meta.uid)
        .map(rs => rs.metadata.uid),
    );
  }
  const ready = pods.filter(
    pod => owners.has(controllerUid(pod)) && isReady(pod),
  ).length;
  const statusReady = st.readyReplicas ?? 0;
  if (ready !== want || statusReady !== want) {
    return `${ready}/${want} pods Ready (status says ${statusReady})`;
  }
  return undefined;
}

/** Waits until every Deployment and ReplicaSet among the objects has all its pods Ready. */
export async function waitWorkloads(kube, objects, seconds) {
  const pending = objects.filter(
    o =>
      o.apiVersion === 'apps/v1' &&
      (o.kind === 'Deployment' || o.kind === 'ReplicaSet'),
  );
  const namespaces = [
    ...new Set(pending.map(o => o.metadata.namespace)),
  ].sort();
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const replicaSets = [];
    const pods = [];
    for (const namespace of namespaces) {
      replicaSets.push(
        ...(await kube.client.list(REPLICA_SETS, { namespace })),
      );
      pods.push(...(await kube.client.list(PODS, { namespace })));
    }
    const reasons = new Map();
    for (const obj of pending) {
      const reason = notReady(await kube.get(obj), replicaSets, pods);
      if (reason) {
        reasons.set(
          `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`,
          reason,
        );
      }
    }
    if (reasons.size === 0) return;
    if (Date.now() > deadline) {
      const lines = [...reasons.keys()]
        .sort()
        .map(what => `  ${what}: ${reasons.get(what)}`);
      throw new Fatal(
        `not all demo pods Ready after ${seconds}s:\n${lines.join('\n')}\n` +
          'kube-controller-manager makes the pods, kube-scheduler places them and kwok ' +
          'reports them Ready: see their logs in the kube state directory (logs/).',
      );
    }
    await sleep(500);
  }
}
