import { MLMODEL_FILES } from '../../src/mlmodelFiles.mjs';
import { mapPool } from '../../src/pool.mjs';
import { rolloutModelName, rolloutSettings } from './settings.mjs';

const EXPERIMENT = 'ml-bench-rollouts';
// The rollout safety gate refuses traffic to pickled versions, so only formats it accepts.
const SAFE_FILES = MLMODEL_FILES.filter(
  f => !/pickle/.test(f.format) && f.format !== 'sklearn-cloudpickle',
);

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

async function existingVersions(mlflow, name) {
  try {
    await mlflow.post('/registered-models/create', { name });
    return 0;
  } catch (e) {
    if (e.code !== 'RESOURCE_ALREADY_EXISTS') throw e;
  }
  const { model_versions = [] } = await mlflow.get(
    `/model-versions/search?filter=${encodeURIComponent(`name='${name}'`)}`,
  );
  return model_versions.length;
}

/** Two versions per model, each from a run with a safely serialized MLmodel; resumes where it stopped. */
export async function seedMlflowModels(mlflow) {
  const experiment = await experimentId(mlflow);
  const indexes = Array.from({ length: rolloutSettings.models }, (_, i) => i);
  await mapPool(indexes, 16, async i => {
    const name = rolloutModelName(i);
    for (let v = (await existingVersions(mlflow, name)) + 1; v <= 2; v++) {
      const { run } = await mlflow.post('/runs/create', {
        experiment_id: experiment,
        run_name: `${name}-train-${v}`,
        start_time: Date.now(),
      });
      const file = SAFE_FILES[(i + v) % SAFE_FILES.length];
      const artifacts = run.info.artifact_uri.replace(
        /^mlflow-artifacts:\//,
        '',
      );
      await mlflow.putArtifact(`${artifacts}/model/MLmodel`, file.text);
      await mlflow.post('/model-versions/create', {
        name,
        source: `${run.info.artifact_uri}/model`,
        run_id: run.info.run_id,
        tags: [{ key: 'format', value: file.format }],
      });
    }
  });
}
