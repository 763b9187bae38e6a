import { mapPool } from '../../src/pool.mjs';
import {
  rolloutModelName,
  rolloutSettings,
  routerKindOf,
} from './settings.mjs';

const PORT = 8080;
export const ARGO_STEPS = [
  { setWeight: 10 },
  { pause: {} },
  { setWeight: 50 },
  { pause: {} },
  { setWeight: 100 },
];

const modelLabels = name => ({
  'app.kubernetes.io/name': name,
  'backstage.io/kubernetes-id': name,
  'ml-platform.io/model': name,
  'ml-platform.io/registry': rolloutSettings.registryId,
});
const versionLabels = (name, v) => ({
  ...modelLabels(name),
  'ml-platform.io/model-version': String(v),
});
// Stands in for Argo's pod-template hash; only has to be stable and distinct per version.
const hashOf = v => `h${v}roll`;

function podTemplate(name, v, extraLabels = {}) {
  return {
    metadata: { labels: { ...versionLabels(name, v), ...extraLabels } },
    spec: {
      containers: [
        {
          name: 'model',
          image: `registry.example.com/models/${name}:${v}`,
          ports: [{ name: 'http', containerPort: PORT }],
        },
      ],
    },
  };
}

function service(name, ns, labels, selector) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    // Headless: the local apiserver's service range holds a few hundred cluster IPs.
    spec: {
      clusterIP: 'None',
      selector,
      ports: [{ name: 'http', port: PORT }],
    },
  };
}

function httpRoute(name, ns, backends) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns, labels: modelLabels(name) },
    spec: {
      parentRefs: [{ name: 'ml-gateway' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: backends.map(([service, weight]) => ({
            name: service,
            port: PORT,
            weight,
          })),
        },
      ],
    },
  };
}

async function seedVersions(kube, name, ns) {
  for (const v of [1, 2]) {
    await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `${name}-v${v}`,
        namespace: ns,
        labels: versionLabels(name, v),
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: versionLabels(name, v) },
        template: podTemplate(name, v),
      },
    });
    await kube.apply(
      service(
        `${name}-v${v}`,
        ns,
        versionLabels(name, v),
        versionLabels(name, v),
      ),
    );
  }
}

/** An Argo canary from v1 to v2 at its first step (10 %), with the status its controller writes. */
async function seedArgoRollout(kube, name, ns) {
  const stable = `${name}-stable`;
  const canary = `${name}-canary`;
  const managed = { 'ml-platform.io/model': name };
  await kube.apply(
    service(stable, ns, managed, {
      'app.kubernetes.io/name': name,
      'rollouts-pod-template-hash': hashOf(1),
    }),
  );
  await kube.apply(
    service(canary, ns, managed, {
      'app.kubernetes.io/name': name,
      'rollouts-pod-template-hash': hashOf(2),
    }),
  );
  // The route Argo's Gateway API plugin would rewrite; no controller runs here.
  await kube.apply(
    httpRoute(name, ns, [
      [stable, 90],
      [canary, 10],
    ]),
  );
  const rollout = await kube.apply({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace: ns, labels: modelLabels(name) },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: podTemplate(name, 2),
      strategy: {
        canary: {
          stableService: stable,
          canaryService: canary,
          trafficRouting: {
            plugins: {
              'argoproj-labs/gatewayAPI': { httpRoute: name, namespace: ns },
            },
          },
          steps: ARGO_STEPS,
        },
      },
    },
  });
  for (const v of [1, 2]) {
    const labels = {
      ...versionLabels(name, v),
      'rollouts-pod-template-hash': hashOf(v),
    };
    await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hashOf(v)}`,
        namespace: ns,
        labels,
        annotations: { 'rollout.argoproj.io/revision': String(v) },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name,
            uid: rollout.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': name,
            'rollouts-pod-template-hash': hashOf(v),
          },
        },
        template: { ...podTemplate(name, v), metadata: { labels } },
      },
    });
  }
  await kube.apply(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace: ns },
      status: {
        phase: 'Progressing',
        currentStepIndex: 0,
        currentPodHash: hashOf(2),
        stableRS: hashOf(1),
        controllerPause: false,
        canary: {
          weights: {
            canary: {
              weight: 10,
              podTemplateHash: hashOf(2),
              serviceName: canary,
            },
            stable: {
              weight: 90,
              podTemplateHash: hashOf(1),
              serviceName: stable,
            },
          },
        },
      },
    },
    'status',
  );
}

/** A KServe InferenceService serving v2 as a 10 % canary after v1, with the status KServe writes. */
async function seedInferenceService(kube, name, ns) {
  await kube.apply({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, namespace: ns, labels: versionLabels(name, 2) },
    spec: {
      predictor: {
        minReplicas: 1,
        canaryTrafficPercent: 10,
        model: {
          modelFormat: { name: 'mlflow' },
          storageUri: `mlflow://${name}/2`,
        },
      },
    },
  });
  const rev = n => `${name}-predictor-0000${n}`;
  await kube.apply(
    {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name, namespace: ns },
      status: {
        components: {
          predictor: {
            latestCreatedRevision: rev(2),
            latestReadyRevision: rev(2),
            traffic: [
              {
                revisionName: rev(2),
                percent: 10,
                latestRevision: true,
                tag: 'latest',
              },
              {
                revisionName: rev(1),
                percent: 90,
                latestRevision: false,
                tag: 'prev',
              },
            ],
          },
        },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    'status',
  );
}

/**
 * Per model: a Deployment and a Service per version and one routing object.
 * Server-side apply with force, so every run starts from the same split.
 */
export async function seedKubeObjects(kube) {
  const ns = rolloutSettings.namespace;
  await kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const indexes = Array.from({ length: rolloutSettings.models }, (_, i) => i);
  await mapPool(indexes, 16, async i => {
    const name = rolloutModelName(i);
    await seedVersions(kube, name, ns);
    const kind = routerKindOf(i);
    if (kind === 'HTTPRoute') {
      await kube.apply(
        httpRoute(name, ns, [
          [`${name}-v1`, 90],
          [`${name}-v2`, 10],
        ]),
      );
    } else if (kind === 'Rollout') {
      await seedArgoRollout(kube, name, ns);
    } else {
      await seedInferenceService(kube, name, ns);
    }
  });
}
