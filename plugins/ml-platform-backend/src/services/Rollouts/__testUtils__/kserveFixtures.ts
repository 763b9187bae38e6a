import { KNATIVE_REVISION } from '../../../kinds/inferenceservice';
import { modelLabels, podTemplate } from './fixtures';
import { kubeOk, paths } from './localKube';

/**
 * The Deployment Knative runs for one revision of a predictor: labelled with
 * the revision, and with the InferenceService's labels as they were then.
 */
function createRevisionDeployment(
  ns: string,
  model: string,
  version: string,
  revision: string,
) {
  const labels = {
    ...modelLabels(model, version),
    [KNATIVE_REVISION]: revision,
  };
  const template = podTemplate(model, version);
  return kubeOk('POST', paths.deployments(ns), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${revision}-deployment`, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: {
        ...template,
        metadata: { labels: { ...template.metadata.labels, ...labels } },
      },
    },
  });
}

/**
 * An InferenceService of `model` serving `latest` with a canary share, after
 * `previous`, with a Deployment per revision and the status KServe writes.
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
  const [previousRevision, latestRevision] = [1, 2].map(
    n => `${name}-predictor-0000${n}`,
  );
  await createRevisionDeployment(ns, model, previous, previousRevision);
  await createRevisionDeployment(ns, model, latest, latestRevision);
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
            latestCreatedRevision: latestRevision,
            latestReadyRevision: latestRevision,
            previousRolledoutRevision: previousRevision,
            traffic: [
              {
                revisionName: latestRevision,
                percent,
                latestRevision: true,
                tag: 'latest',
              },
              ...(percent < 100
                ? [
                    {
                      revisionName: previousRevision,
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
