import { createVersionDeployment } from './fixtures';
import { kubeOk, paths } from './localKube';

/**
 * An InferenceService of `model` serving `latest` with a canary share, after
 * `previous`, with a Deployment per version and the status KServe writes.
 * No KServe controller runs, so the status stays as written.
 */
export async function createInferenceService(options: {
  ns: string;
  name: string;
  model: string;
  previous: string;
  latest: string;
  canaryTrafficPercent?: number;
  labels?: Record<string, string>;
}) {
  const { ns, name, model, previous, latest, canaryTrafficPercent } = options;
  for (const v of [previous, latest]) {
    await createVersionDeployment(ns, model, v).catch(e => {
      // Shared by the InferenceServices of one test file.
      if (!String(e).includes('409')) throw e;
    });
  }
  await kubeOk('POST', paths.inferenceServices(ns), {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name,
      labels: {
        'ml-platform.io/model': model,
        'ml-platform.io/model-version': latest,
        ...options.labels,
      },
    },
    spec: {
      predictor: {
        minReplicas: 1,
        ...(canaryTrafficPercent !== undefined && { canaryTrafficPercent }),
        model: {
          modelFormat: { name: 'mlflow' },
          storageUri: `mlflow://${model}/${latest}`,
        },
      },
    },
  });
  const percent = canaryTrafficPercent ?? 100;
  return kubeOk(
    'PATCH',
    `${paths.inferenceServices(ns)}/${name}/status`,
    {
      status: {
        components: {
          predictor: {
            latestCreatedRevision: `${name}-predictor-00002`,
            latestReadyRevision: `${name}-predictor-00002`,
            traffic: [
              {
                revisionName: `${name}-predictor-00002`,
                percent,
                latestRevision: true,
                tag: 'latest',
              },
              ...(percent < 100
                ? [
                    {
                      revisionName: `${name}-predictor-00001`,
                      percent: 100 - percent,
                      latestRevision: false,
                      tag: 'prev',
                    },
                  ]
                : []),
            ],
          },
        },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    'application/merge-patch+json',
  );
}
