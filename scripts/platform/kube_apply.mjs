#!/usr/bin/env node
// Applies objects to the local kube-apiserver by server-side apply (no kubectl
// here), through the Kubernetes module of plugins/ml-platform-node.
import { applyFiles } from './kube/applyFiles.mjs';
import { connect } from './kube/connect.mjs';
import { runMain } from './kube/fatal.mjs';
import { seedDemo } from './kube/seedDemo.mjs';
import { waitNodesReady } from './kube/waitConditions.mjs';

const USAGE = `Applies objects to the local kube-apiserver by server-side apply (no kubectl here).

    kube_apply.mjs apply FILE...        every YAML/JSON document; waits for CRDs to be Established
    kube_apply.mjs seed SPEC STATE_DIR  the demo platform of demo-platform.json; waits for its pods
    kube_apply.mjs wait-nodes SECONDS NODE...  waits until the nodes are Ready

The connection comes from KUBE_SERVER, KUBE_CA_FILE and KUBE_TOKEN, or else from
$ML_PLATFORM_STATE/kube.json. Needs the repository's node_modules (yarn install).

kube-controller-manager, kube-scheduler and kwok run next to this apiserver: they make
the Pods of Deployments and ReplicaSets and report them Ready. See kube/demoObjects.mjs
for what the seed writes with serving on and off (ML_PLATFORM_SERVING).`;

function command(argv) {
  const [name, ...args] = argv;
  if (name === 'apply' && args.length >= 1) {
    return () => applyFiles(connect(), args);
  }
  if (name === 'seed' && args.length === 2) {
    return () => seedDemo(args[0], args[1]);
  }
  const seconds = Number(args[0]);
  if (name === 'wait-nodes' && args.length >= 2 && Number.isFinite(seconds)) {
    return () => waitNodesReady(connect(), args.slice(1), seconds);
  }
  return undefined;
}

const run = command(process.argv.slice(2));
if (run) {
  await runMain(run);
} else {
  console.error(USAGE);
  process.exitCode = 1;
}
