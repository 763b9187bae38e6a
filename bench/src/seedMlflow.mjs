import { MLMODEL_FILES } from './mlmodelFiles.mjs';
import {
  createVersion,
  experimentId,
  registerModel,
} from './mlflowSeedSteps.mjs';
import { mapPool } from './pool.mjs';
import { modelName, settings } from './settings.mjs';

const EXPERIMENT = 'ml-bench';
const TEAMS = ['fraud', 'ranking', 'churn', 'pricing'];

/** Versions the model already has; 0 after creating it. */
function ensureModel(mlflow, i) {
  const team = TEAMS[i % TEAMS.length];
  return registerModel(mlflow, {
    name: modelName(i),
    description: `Benchmark model ${i} of the ${team} team`,
    tags: [{ key: 'team', value: team }],
  });
}

/** Registers models × versions; models and versions already there are kept. */
export async function seedMlflow(mlflow, log) {
  const experiment = await experimentId(mlflow, EXPERIMENT);
  const indexes = Array.from({ length: settings.models }, (_, i) => i);
  let done = 0;
  let created = 0;
  await mapPool(indexes, settings.seedConcurrency, async i => {
    const existing = await ensureModel(mlflow, i);
    // Versions are numbered in creation order, so one model's are made one after another.
    for (let v = existing + 1; v <= settings.versionsPerModel; v++) {
      await createVersion(mlflow, {
        experiment,
        name: modelName(i),
        version: v,
        file: MLMODEL_FILES[
          (i * settings.versionsPerModel + v) % MLMODEL_FILES.length
        ],
        runTags: [{ key: 'team', value: TEAMS[i % TEAMS.length] }],
      });
      created += 1;
    }
    done += 1;
    if (done % 100 === 0) log(`MLflow: ${done}/${settings.models} models`);
  });
  return { versionsCreated: created };
}
