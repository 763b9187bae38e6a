import { MLMODEL_FILES } from './mlmodelFiles.mjs';
import { mapPool } from './pool.mjs';
import { modelName, settings } from './settings.mjs';

const EXPERIMENT = 'ml-bench';
const TEAMS = ['fraud', 'ranking', 'churn', 'pricing'];

async function experimentId(mlflow) {
  try {
    const { experiment } = await mlflow.get(
      `/experiments/get-by-name?experiment_name=${EXPERIMENT}`,
    );
    return experiment.experiment_id;
  } catch (e) {
    if (e.code !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    return (await mlflow.post('/experiments/create', { name: EXPERIMENT }))
      .experiment_id;
  }
}

/** Versions the model already has; 0 after creating it. */
async function ensureModel(mlflow, i) {
  const name = modelName(i);
  try {
    await mlflow.post('/registered-models/create', {
      name,
      description: `Benchmark model ${i} of the ${
        TEAMS[i % TEAMS.length]
      } team`,
      tags: [{ key: 'team', value: TEAMS[i % TEAMS.length] }],
    });
    return 0;
  } catch (e) {
    if (e.code !== 'RESOURCE_ALREADY_EXISTS') throw e;
  }
  const { model_versions = [] } = await mlflow.get(
    `/model-versions/search?max_results=1000&filter=${encodeURIComponent(
      `name='${name}'`,
    )}`,
  );
  return model_versions.length;
}

/**
 * One version as a training pipeline leaves it: a run, the run's MLmodel
 * artifact (which the catalog reads to judge serialization safety) and the
 * registered version pointing at it.
 */
async function createVersion(mlflow, experiment, i, version) {
  const name = modelName(i);
  const { run } = await mlflow.post('/runs/create', {
    experiment_id: experiment,
    run_name: `${name}-train-${version}`,
    start_time: Date.now(),
    tags: [{ key: 'team', value: TEAMS[i % TEAMS.length] }],
  });
  const file =
    MLMODEL_FILES[
      (i * settings.versionsPerModel + version) % MLMODEL_FILES.length
    ];
  const artifacts = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
  await mlflow.putArtifact(`${artifacts}/model/MLmodel`, file.text);
  await mlflow.post('/model-versions/create', {
    name,
    source: `${run.info.artifact_uri}/model`,
    run_id: run.info.run_id,
    tags: [{ key: 'format', value: file.format }],
  });
}

/** Registers models × versions; models and versions already there are kept. */
export async function seedMlflow(mlflow, log) {
  const experiment = await experimentId(mlflow);
  const indexes = Array.from({ length: settings.models }, (_, i) => i);
  let done = 0;
  let created = 0;
  await mapPool(indexes, settings.seedConcurrency, async i => {
    const existing = await ensureModel(mlflow, i);
    // Versions are numbered in creation order, so one model's are made one after another.
    for (let v = existing + 1; v <= settings.versionsPerModel; v++) {
      await createVersion(mlflow, experiment, i, v);
      created += 1;
    }
    done += 1;
    if (done % 100 === 0) log(`MLflow: ${done}/${settings.models} models`);
  });
  return { versionsCreated: created };
}
