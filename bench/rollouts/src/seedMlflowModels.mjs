import {
  createVersion,
  experimentId,
  registerModel,
} from '../../src/mlflowSeedSteps.mjs';
import { MLMODEL_FILES } from '../../src/mlmodelFiles.mjs';
import { mapPool } from '../../src/pool.mjs';
import { rolloutModelName, rolloutSettings } from './settings.mjs';

const EXPERIMENT = 'ml-bench-rollouts';
// The rollout safety gate refuses traffic to pickled versions, so only formats it accepts.
const SAFE_FILES = MLMODEL_FILES.filter(
  f => !/pickle/.test(f.format) && f.format !== 'sklearn-cloudpickle',
);

/** Two versions per model, each from a run with a safely serialized MLmodel; resumes where it stopped. */
export async function seedMlflowModels(mlflow) {
  const experiment = await experimentId(mlflow, EXPERIMENT);
  const indexes = Array.from({ length: rolloutSettings.models }, (_, i) => i);
  await mapPool(indexes, 16, async i => {
    const name = rolloutModelName(i);
    for (let v = (await registerModel(mlflow, { name })) + 1; v <= 2; v++) {
      await createVersion(mlflow, {
        experiment,
        name,
        version: v,
        file: SAFE_FILES[(i + v) % SAFE_FILES.length],
      });
    }
  });
}
