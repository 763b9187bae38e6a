import { createBenchKube } from '../../src/kubeClient.mjs';
import { createMlflowClient } from '../../src/mlflowClient.mjs';
import { readPlatformFile } from '../../src/settings.mjs';
import { seedKubeObjects } from './seedKubeObjects.mjs';
import { seedMlflowModels } from './seedMlflowModels.mjs';

/** Seeds both servers; MLflow resumes, the apiserver objects are reset to their starting split. */
export async function seedAll(log) {
  const kube = createBenchKube(readPlatformFile('kube'));
  const mlflow = createMlflowClient(readPlatformFile('mlflow'));
  const started = performance.now();
  await Promise.all([
    seedMlflowModels(mlflow).then(() =>
      log(`MLflow seeded in ${Math.round(performance.now() - started)} ms`),
    ),
    seedKubeObjects(kube).then(() =>
      log(`apiserver seeded in ${Math.round(performance.now() - started)} ms`),
    ),
  ]);
}

if (process.argv[2] === 'seed') {
  await seedAll(console.log);
}
