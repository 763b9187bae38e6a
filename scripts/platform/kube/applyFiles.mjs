import { loadDocuments } from './yamlDocuments.mjs';
import { waitEstablished } from './waitConditions.mjs';

/** Applies every document of the files, then waits for the CRDs among them. */
export async function applyFiles(kube, files) {
  const crds = [];
  for (const [, doc] of loadDocuments(files)) {
    await kube.apply(doc);
    if (doc.kind === 'CustomResourceDefinition') crds.push(doc.metadata.name);
    console.error(`    applied ${doc.kind} ${doc.metadata.name}`);
  }
  await waitEstablished(kube, crds);
}
