import fs from 'node:fs';
import { connect, isNotFound } from './connect.mjs';
import { DemoObjects, GATEWAY_CONTROLLER, objectKey } from './demoObjects.mjs';
import {
  deleteAndWait,
  seedRollout,
  SERVING_READY_SECONDS,
} from './seedRollout.mjs';
import { waitWorkloads } from './waitWorkloads.mjs';

/** Pods are Ready within seconds of their Deployment; a busy 2-core machine can take a few times longer. */
const WORKLOADS_READY_SECONDS = 90;

/** kind namespace/name, or kind name of a cluster-scoped object. */
function describe({ kind, metadata }) {
  return metadata.namespace
    ? `${kind} ${metadata.namespace}/${metadata.name}`
    : `${kind} ${metadata.name}`;
}

/**
 * Takes away what an earlier seed without serving wrote as the Gateway API
 * controller's status: the real controller writes its own and leaves other
 * controllers' entries.
 */
async function dropSeededStatus(kube, obj, cur) {
  if (obj.kind !== 'HTTPRoute') return;
  const parents = cur.status?.parents ?? [];
  const keep = parents.filter(p => p.controllerName !== GATEWAY_CONTROLLER);
  if (keep.length !== parents.length) {
    await kube.mergePatch(
      obj,
      { status: { parents: keep } },
      { subresource: 'status' },
    );
  }
}

/** The object's current state, or undefined when it is not there. */
async function current(kube, obj) {
  try {
    return await kube.get(obj);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Applies the demo platform of the spec (idempotent) and waits until its
 * workloads have all their pods Ready; says on stdout how long that took.
 */
export async function seedDemo(specFile, stateDir) {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  const serving = (process.env.ML_PLATFORM_SERVING ?? 'on') !== 'off';
  const demo = new DemoObjects(spec, stateDir, serving).build();
  const kube = connect();
  const uids = new Map();
  for (const { obj, status, manager } of demo.items) {
    const { namespace } = obj.metadata;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      ref.uid = uids.get(
        objectKey({ kind: ref.kind, metadata: { namespace, name: ref.name } }),
      );
    }
    const replace = demo.replaceIf.get(objectKey(obj));
    if (replace) {
      const cur = await current(kube, obj);
      if (cur && replace(cur)) await deleteAndWait(kube, obj);
    }
    if (demo.createOnly.has(objectKey(obj)) && (await current(kube, obj))) {
      console.error(`    ${obj.kind} ${obj.metadata.name} (kept)`);
      continue;
    }
    const cur = await kube.apply(obj);
    if (serving && !status) await dropSeededStatus(kube, obj, cur);
    uids.set(objectKey(obj), cur.metadata.uid);
    let what = describe(obj);
    if (status) {
      await kube.apply(
        {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          metadata: {
            name: obj.metadata.name,
            ...(namespace !== undefined && { namespace }),
          },
          status: status(cur),
        },
        { subresource: 'status', manager },
      );
      what += ' (+status)';
    }
    console.error(`    ${what}`);
  }
  if ((process.env.ML_KUBE_WORKLOADS ?? 'on') === 'off') {
    return; // no controllers run (kube.sh), so no pod will ever be Ready
  }
  const started = Date.now();
  for (const action of demo.actions) await action(kube, seedRollout);
  await waitWorkloads(
    kube,
    demo.items.map(item => item.obj),
    serving ? SERVING_READY_SECONDS : WORKLOADS_READY_SECONDS,
  );
  console.log(
    `all demo pods Ready ${((Date.now() - started) / 1000).toFixed(
      1,
    )}s after the last apply`,
  );
}
