import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

const N = intFromEnv('N', 2000);
const M = intFromEnv('M', 5);

/** What one run seeds and measures; every value can be overridden from the environment. */
export const settings = {
  models: N,
  versionsPerModel: M,
  namespaces: ['ml-bench-a', 'ml-bench-b', 'ml-bench-c'],
  requests: intFromEnv('REQUESTS', 200),
  kubeRequests: intFromEnv('KUBE_REQUESTS', 100),
  // Catalog entities for the Kubernetes plugin reference, which resolves the entity in the catalog.
  referenceEntities: Math.min(N, intFromEnv('REFERENCE_ENTITIES', 20)),
  seedConcurrency: intFromEnv('SEED_CONCURRENCY', 16),
  // One platform instance per size, so a smoke run never mixes with the full data set.
  state:
    process.env.ML_PLATFORM_STATE ||
    path.join(
      process.env.ML_PLATFORM_CACHE ||
        path.join(os.homedir(), '.cache/ml-platform'),
      `bench-state-${N}x${M}`,
    ),
};

export function readPlatformFile(name) {
  const file = path.join(settings.state, `${name}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: bench/run.sh starts the bench platform`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export const modelName = i => `bench-m${String(i).padStart(5, '0')}`;
export const namespaceOf = i =>
  settings.namespaces[i % settings.namespaces.length];
