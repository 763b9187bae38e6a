#!/usr/bin/env node
// The ClusterRole documents of YAML files, for roles a project ships next to
// bindings of its own ServiceAccounts: we bind them to our users instead.
//
//     cluster_roles.mjs FILE...          the ClusterRoles, as YAML
//     cluster_roles.mjs --names FILE...  their names, one line, space-separated
import { runMain } from './kube/fatal.mjs';
import { dumpDocuments, loadDocuments } from './kube/yamlDocuments.mjs';

const args = process.argv.slice(2);
const names = args[0] === '--names';
const files = names ? args.slice(1) : args;
if (files.length === 0) {
  console.error('usage: cluster_roles.mjs [--names] FILE...');
  process.exitCode = 1;
} else {
  await runMain(async () => {
    const roles = [...loadDocuments(files)]
      .map(([, doc]) => doc)
      .filter(doc => doc.kind === 'ClusterRole');
    process.stdout.write(
      names
        ? `${roles.map(r => r.metadata.name).join(' ')}\n`
        : dumpDocuments(roles),
    );
  });
}
