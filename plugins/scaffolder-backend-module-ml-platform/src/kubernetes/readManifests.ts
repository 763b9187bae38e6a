import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { KubeManifest } from '@mlplatform/plugin-ml-platform-node';
import yaml from 'yaml';

/** A Kubernetes object as written in a manifest. */
export type Manifest = KubeManifest;

const YAML_FILE = /\.ya?ml$/i;

async function yamlFiles(target: string): Promise<string[]> {
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) return [];
  if (stat.isFile()) return [target];
  const entries = await fs.readdir(target, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(e => {
        const child = path.join(target, e.name);
        if (e.isDirectory()) return yamlFiles(child);
        return Promise.resolve(YAML_FILE.test(e.name) ? [child] : []);
      }),
  );
  return nested.flat();
}

function checkManifest(doc: unknown, where: string): Manifest {
  const m = doc as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || Array.isArray(m)) {
    throw new InputError(`${where}: not a Kubernetes object`);
  }
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof m[field] !== 'string' || !m[field]) {
      throw new InputError(`${where}: ${field} is missing`);
    }
  }
  if (typeof m.metadata?.name !== 'string' || !m.metadata.name) {
    throw new InputError(`${where}: metadata.name is missing`);
  }
  return m as Manifest;
}

/**
 * Reads every object of a YAML file, or of every YAML file under a directory
 * (in name order), inside the task's workspace.
 */
export async function readManifests(
  workspacePath: string,
  relativePath: string,
): Promise<Manifest[]> {
  const target = resolveSafeChildPath(workspacePath, relativePath);
  const files = await yamlFiles(target);
  if (files.length === 0) {
    throw new InputError(
      `path '${relativePath}': no YAML manifests found in the workspace`,
    );
  }
  const manifests: Manifest[] = [];
  for (const file of files) {
    const name = path.relative(workspacePath, file);
    const docs = yaml.parseAllDocuments(await fs.readFile(file, 'utf8'));
    docs.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        throw new InputError(`${name}: invalid YAML: ${doc.errors[0].message}`);
      }
      const value = doc.toJSON();
      // An empty document, e.g. after a trailing `---`.
      if (value === null || value === undefined) return;
      manifests.push(checkManifest(value, `${name} document ${i + 1}`));
    });
  }
  if (manifests.length === 0) {
    throw new InputError(`path '${relativePath}': the manifests are empty`);
  }
  return manifests;
}
