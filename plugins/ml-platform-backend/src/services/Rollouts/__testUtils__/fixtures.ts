import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import { kubeOk, paths } from './localKube';

const PORT = 8080;

export const modelLabels = (model: string, version?: string) => ({
  [ML_PLATFORM_LABELS.model]: model,
  ...(version && { [ML_PLATFORM_LABELS.modelVersion]: version }),
});

export function podTemplate(model: string, version: string) {
  return {
    metadata: {
      labels: {
        'app.kubernetes.io/name': model,
        ...modelLabels(model, version),
      },
    },
    spec: {
      containers: [
        {
          name: 'model',
          image: `registry.example.com/models/${model}:${version}`,
          ports: [{ containerPort: PORT, name: 'http', protocol: 'TCP' }],
        },
      ],
    },
  };
}

/** A Service per version, labelled as the scaffolder labels them. */
export async function createVersionService(
  ns: string,
  model: string,
  version: string,
) {
  return kubeOk('POST', paths.services(ns), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${model}-v${version}`,
      labels: modelLabels(model, version),
    },
    spec: {
      selector: modelLabels(model, version),
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    },
  });
}

/**
 * An HTTPRoute with a header-matched rule first (left alone by the routers)
 * and the catch-all traffic rule second.
 */
export async function createRoute(
  ns: string,
  name: string,
  backends: Array<{ service: string; weight: number }>,
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = {},
) {
  const ref = (service: string, weight: number) => ({
    group: '',
    kind: 'Service',
    name: service,
    port: PORT,
    weight,
  });
  return kubeOk('POST', paths.httpRoutes(ns), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, ...metadata },
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'ml-gateway',
        },
      ],
      hostnames: [`${name}.${ns}.ml.example.com`],
      rules: [
        {
          matches: [{ headers: [{ name: 'x-canary', value: 'always' }] }],
          backendRefs: [ref(backends[backends.length - 1].service, 1)],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: backends.map(b => ref(b.service, b.weight)),
        },
      ],
    },
  });
}
