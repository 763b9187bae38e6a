import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';

// Only tests import this file, and they run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
export const DEPLOY_DIR = path.resolve(__dirname, '../../../../../deploy');

/** A Kubernetes object as written in deploy/. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Every document of one YAML file under deploy/. */
export function readManifestFile(relativePath: string): Manifest[] {
  return yaml
    .parseAllDocuments(
      fs.readFileSync(path.join(DEPLOY_DIR, relativePath), 'utf8'),
    )
    .map(doc => doc.toJS() as Manifest)
    .filter(Boolean);
}

/**
 * What `kubectl apply -k` applies for a kustomization under deploy/. Our
 * kustomizations only list `resources` (checked here), so rendering them is
 * reading those files and directories in order.
 */
export function renderKustomization(relativeDir = '.'): Manifest[] {
  const file = path.join(relativeDir, 'kustomization.yaml');
  const [kustomization] = readManifestFile(file) as unknown as Array<{
    resources: string[];
    [key: string]: unknown;
  }>;
  const unsupported = Object.keys(kustomization).filter(
    k => !['apiVersion', 'kind', 'resources'].includes(k),
  );
  if (unsupported.length > 0) {
    throw new Error(
      `${file} uses ${unsupported.join(
        ', ',
      )}; deploy/ keeps to plain resources`,
    );
  }
  return kustomization.resources.flatMap(resource => {
    const target = path.join(relativeDir, resource);
    return fs.statSync(path.join(DEPLOY_DIR, target)).isDirectory()
      ? renderKustomization(target)
      : readManifestFile(target);
  });
}
