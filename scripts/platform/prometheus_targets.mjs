#!/usr/bin/env node
// Keeps Prometheus' file_sd targets file in step with the real node's pods.
//
//     prometheus_targets.mjs OUT_FILE NODE NAMESPACE...
//
// Debian's Prometheus is built without Kubernetes service discovery, so this
// lists the pods of the namespaces every 5 s (as the apiserver user it is
// given in KUBE_SERVER, KUBE_CA_FILE and KUBE_TOKEN) and writes the Running
// pods of NODE with a container port named http as targets, labelled with
// their namespace, pod and app.kubernetes.io/name.
import fs from 'node:fs';
import { connect } from './kube/connect.mjs';
import { runMain, sleep } from './kube/fatal.mjs';

const INTERVAL_MS = 5000;
const PODS = { group: '', version: 'v1', plural: 'pods' };

async function targets(kube, node, namespaces) {
  const out = [];
  for (const namespace of namespaces) {
    for (const pod of await kube.client.list(PODS, { namespace })) {
      const st = pod.status ?? {};
      if (pod.spec.nodeName !== node || st.phase !== 'Running' || !st.podIP) {
        continue;
      }
      for (const container of pod.spec.containers) {
        for (const port of container.ports ?? []) {
          if (port.name !== 'http') continue;
          out.push({
            labels: {
              namespace,
              pod: pod.metadata.name,
              service: pod.metadata.labels?.['app.kubernetes.io/name'] ?? '',
            },
            targets: [`${st.podIP}:${port.containerPort}`],
          });
        }
      }
    }
  }
  return out;
}

async function main(outFile, node, namespaces) {
  const kube = connect();
  let last;
  for (;;) {
    try {
      const found = JSON.stringify(
        await targets(kube, node, namespaces),
        null,
        1,
      );
      if (found !== last) {
        // Prometheus must never read half a file.
        fs.writeFileSync(`${outFile}.tmp`, found);
        fs.renameSync(`${outFile}.tmp`, outFile);
        last = found;
      }
    } catch (error) {
      // The apiserver restarts under it now and then: try again next round.
      console.error(`listing pods: ${error.message}`);
    }
    await sleep(INTERVAL_MS);
  }
}

const [outFile, node, ...namespaces] = process.argv.slice(2);
if (namespaces.length === 0) {
  console.error('usage: prometheus_targets.mjs OUT_FILE NODE NAMESPACE...');
  process.exitCode = 1;
} else {
  await runMain(() => main(outFile, node, namespaces));
}
