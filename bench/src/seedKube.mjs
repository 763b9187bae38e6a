import { mapPool } from './pool.mjs';
import { modelName, namespaceOf, settings } from './settings.mjs';

const PORT = 8080;
const MARKER = 'ml-bench-seed';

function versionLabels(name, version) {
  return {
    'app.kubernetes.io/name': name,
    // What @backstage/plugin-kubernetes-backend selects an entity's objects by.
    'backstage.io/kubernetes-id': name,
    'ml-platform.io/model': name,
    'ml-platform.io/model-version': String(version),
    'ml-platform.io/registry': 'mlflow',
  };
}

function deployment(name, namespace, version) {
  const labels = versionLabels(name, version);
  const selector = {
    'app.kubernetes.io/name': name,
    'ml-platform.io/model-version': String(version),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-v${version}`, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'model',
              image: `registry.example.com/models/${name}:${version}`,
              ports: [{ name: 'http', containerPort: PORT }],
              env: [{ name: 'MODEL_URI', value: `models:/${name}/${version}` }],
            },
          ],
        },
      },
    },
  };
}

function service(name, namespace, version) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${name}-v${version}`,
      namespace,
      labels: versionLabels(name, version),
    },
    spec: {
      // Headless: the bench apiserver's service range has room for a few hundred cluster IPs, not N x M.
      clusterIP: 'None',
      selector: {
        'app.kubernetes.io/name': name,
        'ml-platform.io/model-version': String(version),
      },
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    },
  };
}

/** The newest version takes 90 % of the traffic, the one before it 10 %, older ones none. */
function weightOf(version, latest) {
  if (latest === 1) return 100;
  if (version === latest) return 90;
  return version === latest - 1 ? 10 : 0;
}

function httpRoute(name, namespace, versions) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name,
      namespace,
      labels: {
        'app.kubernetes.io/name': name,
        'backstage.io/kubernetes-id': name,
        'ml-platform.io/model': name,
      },
    },
    spec: {
      parentRefs: [{ name: 'ml-gateway' }],
      hostnames: [`${name}.${namespace}.ml.example.com`],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: versions.map(v => ({
            name: `${name}-v${v}`,
            port: PORT,
            weight: weightOf(v, versions.length),
          })),
        },
      ],
    },
  };
}

const marker = (data = undefined) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: MARKER, namespace: settings.namespaces[0] },
  ...(data && { data }),
});

/** Whether a seed of this size finished before (the marker is written last). */
export async function kubeSeeded(kube) {
  const found = await kube.client.read(marker());
  return (
    found?.data?.models === String(settings.models) &&
    found?.data?.versionsPerModel === String(settings.versionsPerModel)
  );
}

/** Applies, per model, a Deployment and a Service per version and one HTTPRoute. */
export async function seedKube(kube, log) {
  for (const ns of settings.namespaces) {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  }
  const indexes = Array.from({ length: settings.models }, (_, i) => i);
  const versions = Array.from(
    { length: settings.versionsPerModel },
    (_, v) => v + 1,
  );
  let done = 0;
  await mapPool(indexes, settings.seedConcurrency, async i => {
    const name = modelName(i);
    const ns = namespaceOf(i);
    for (const v of versions) {
      await kube.apply(deployment(name, ns, v));
      await kube.apply(service(name, ns, v));
    }
    await kube.apply(httpRoute(name, ns, versions));
    done += 1;
    if (done % 200 === 0) log(`Kubernetes: ${done}/${settings.models} models`);
  });
  await kube.apply(
    marker({
      models: String(settings.models),
      versionsPerModel: String(settings.versionsPerModel),
    }),
  );
  return { objects: settings.models * (2 * settings.versionsPerModel + 1) };
}
