import os from 'node:os';
import path from 'node:path';

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

/** What one run seeds and measures; every value can be overridden from the environment. */
export const rolloutSettings = {
  models: intFromEnv('MODELS', 200),
  // Sequential rollouts per router kind for the latency phase.
  sequential: intFromEnv('SEQUENTIAL', 50),
  concurrencyLevels: (process.env.LEVELS || '10,50,200').split(',').map(Number),
  contenders: intFromEnv('CONTENDERS', 20),
  namespace: 'ml-rollouts',
  cluster: 'bench',
  registryId: 'mlflow',
  state:
    process.env.ML_PLATFORM_STATE ||
    path.join(
      process.env.ML_PLATFORM_CACHE ||
        path.join(os.homedir(), '.cache/ml-platform'),
      'bench-rollouts-state',
    ),
};

export const rolloutModelName = i => `roll-m${String(i).padStart(4, '0')}`;

/** Routing objects are spread over the models: one of three kinds each. */
export const ROUTER_KINDS = ['HTTPRoute', 'Rollout', 'InferenceService'];
export const routerKindOf = i => ROUTER_KINDS[i % ROUTER_KINDS.length];
