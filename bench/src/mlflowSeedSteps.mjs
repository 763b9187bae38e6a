/** The id of the named experiment, created on first use. */
export async function experimentId(mlflow, name) {
  try {
    const { experiment } = await mlflow.get(
      `/experiments/get-by-name?experiment_name=${name}`,
    );
    return experiment.experiment_id;
  } catch (e) {
    if (e.code !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    return (await mlflow.post('/experiments/create', { name })).experiment_id;
  }
}

/**
 * Registers a model from its create request; returns how many versions it
 * already has (0 after creating it), so a seed resumes where it stopped.
 */
export async function registerModel(mlflow, createRequest) {
  try {
    await mlflow.post('/registered-models/create', createRequest);
    return 0;
  } catch (e) {
    if (e.code !== 'RESOURCE_ALREADY_EXISTS') throw e;
  }
  const { model_versions = [] } = await mlflow.get(
    `/model-versions/search?max_results=1000&filter=${encodeURIComponent(
      `name='${createRequest.name}'`,
    )}`,
  );
  return model_versions.length;
}

/**
 * One version as a training pipeline leaves it: a run, the run's MLmodel
 * artifact (which the catalog reads to judge serialization safety) and the
 * registered version pointing at it.
 */
export async function createVersion(
  mlflow,
  { experiment, name, version, file, runTags },
) {
  const { run } = await mlflow.post('/runs/create', {
    experiment_id: experiment,
    run_name: `${name}-train-${version}`,
    start_time: Date.now(),
    ...(runTags && { tags: runTags }),
  });
  const artifacts = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
  await mlflow.putArtifact(`${artifacts}/model/MLmodel`, file.text);
  await mlflow.post('/model-versions/create', {
    name,
    source: `${run.info.artifact_uri}/model`,
    run_id: run.info.run_id,
    tags: [{ key: 'format', value: file.format }],
  });
}
