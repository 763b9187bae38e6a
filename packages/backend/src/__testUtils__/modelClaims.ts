import fs from 'node:fs';
import yaml from 'yaml';
import { mlflowAdminApi } from 'platform-tests';

/** An entity file that claims a model, as a team's repository holds it. */
export function writeClaim(
  file: string,
  name: string,
  model: string,
  owner: string,
) {
  fs.writeFileSync(
    file,
    yaml.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        annotations: {
          'ml-platform.io/registered-model': `mlflow/${model}`,
          'backstage.io/kubernetes-id': name,
        },
      },
      spec: { type: 'model-service', lifecycle: 'production', owner },
    }),
  );
}

/**
 * A model in the local MLflow with two versions whose artifacts are ONNX
 * (fraud-detector v5's), so both may serve.
 */
export async function registerModel(
  name: string,
  tags: Record<string, string> = {},
) {
  const { model_version: safe } = await mlflowAdminApi(
    'GET',
    'model-versions/get?name=fraud-detector&version=5',
  );
  await mlflowAdminApi('POST', 'registered-models/create', {
    name,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  for (let i = 0; i < 2; i++) {
    await mlflowAdminApi('POST', 'model-versions/create', {
      name,
      source: safe.source,
      // MLflow 3 registers logged models: the source is models:/<model id>.
      model_id: safe.model_id ?? safe.source.replace(/^models:\//, ''),
    });
  }
}
