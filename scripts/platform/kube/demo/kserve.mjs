import { conditions } from '../statusConditions.mjs';
import { meta } from './objectMeta.mjs';

const MODEL_FORMATS = {
  sklearn: 'sklearn',
  skops: 'sklearn',
  onnx: 'onnx',
  xgboost: 'xgboost',
  pyfunc: 'mlflow',
};

const modelFormat = format => MODEL_FORMATS[format.split('-')[0]] ?? format;

export function addInferenceService(demo, d, model, replicas) {
  const ns = d.namespace;
  const svc = model.service;
  const { previous: prevV, latest: latestV, canaryTrafficPercent: percent } = d;
  const latest = demo.versionOf(model, latestV);
  // KServe numbers the predictor revisions; the previous version is the first one here.
  const prevRev = `${svc}-predictor-00001`;
  const latestRev = `${svc}-predictor-00002`;
  // Knative labels each revision's Deployment with its revision, and the
  // InferenceService's labels (the model version among them) reach it too.
  for (const [v, rev] of [
    [prevV, prevRev],
    [latestV, latestRev],
  ]) {
    demo.versionWorkload(model, v, ns, replicas, {
      'serving.knative.dev/revision': rev,
    });
  }
  const url = `http://${svc}.${ns}.ml.example.com`;

  const status = cur => {
    const old = cur.status ?? {};
    const traffic = [
      {
        revisionName: latestRev,
        percent,
        latestRevision: true,
        tag: 'latest',
        url: `http://latest-${svc}-predictor.${ns}.ml.example.com`,
      },
    ];
    if (percent < 100) {
      traffic.push({
        revisionName: prevRev,
        percent: 100 - percent,
        latestRevision: false,
        tag: 'prev',
        url: `http://prev-${svc}-predictor.${ns}.ml.example.com`,
      });
    }
    return {
      observedGeneration: cur.metadata.generation,
      url,
      address: { url: `http://${svc}.${ns}.svc.cluster.local` },
      components: {
        predictor: {
          latestCreatedRevision: latestRev,
          latestReadyRevision: latestRev,
          latestRolledoutRevision: prevRev,
          previousRolledoutRevision: prevRev,
          url: `http://${svc}-predictor.${ns}.ml.example.com`,
          traffic,
        },
      },
      conditions: conditions(
        old.conditions,
        [
          'IngressReady',
          'LatestDeploymentReady',
          'PredictorConfigurationReady',
          'PredictorReady',
          'PredictorRouteReady',
          'Ready',
        ].map(type => ({ type, status: 'True' })),
        'lastTransitionTime',
      ),
      modelStatus: {
        states: { activeModelState: 'Loaded', targetModelState: 'Loaded' },
        transitionStatus: 'UpToDate',
      },
    };
  };

  demo.add(
    {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: meta(svc, ns, demo.versionLabels(model, latestV)),
      spec: {
        predictor: {
          minReplicas: replicas,
          canaryTrafficPercent: percent,
          model: {
            modelFormat: { name: modelFormat(latest.format) },
            storageUri: `mlflow://${model.name}/${latestV}`,
          },
        },
      },
    },
    status,
    'kserve-controller',
  );
}
