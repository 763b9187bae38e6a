import { kubeAdminRequest } from 'platform-tests';

const PORT = 8080;

/** The labels a model service's workloads carry (what the templates write). */
export const modelLabels = (
  model: string,
  version: string,
  entity: string,
) => ({
  'ml-platform.io/model': model,
  'ml-platform.io/model-version': version,
  'backstage.io/kubernetes-id': entity,
});

export const httpRoutesPath = (namespace: string) =>
  `/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes`;

/**
 * A Deployment and a Service per version of a model in the namespace, and an
 * HTTPRoute named like the model splitting traffic between them with the
 * given weights, created as the cluster admin.
 */
export async function serveModel(options: {
  namespace: string;
  model: string;
  /** Weight per version, in the route's order. */
  weights: Record<string, number>;
  /** The `backstage.io/kubernetes-id` of the model's entity. */
  entity: string;
}) {
  const { namespace, model, weights, entity } = options;
  for (const v of Object.keys(weights)) {
    const labels = modelLabels(model, v, entity);
    await kubeAdminRequest(
      'POST',
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${model}-v${v}`, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'model',
                  image: `registry.example.com/${model}:${v}`,
                  ports: [{ containerPort: PORT, name: 'http' }],
                },
              ],
            },
          },
        },
      },
    );
    await kubeAdminRequest('POST', `/api/v1/namespaces/${namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${model}-v${v}`, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'http', port: PORT, targetPort: PORT }],
      },
    });
  }
  await kubeAdminRequest('POST', httpRoutesPath(namespace), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: model },
    spec: {
      parentRefs: [{ name: 'ml-gateway' }],
      rules: [
        {
          backendRefs: Object.entries(weights).map(([v, weight]) => ({
            name: `${model}-v${v}`,
            port: PORT,
            weight,
          })),
        },
      ],
    },
  });
}

/** The weights of the model's route, in its order. */
export async function routeWeights(namespace: string, model: string) {
  const route = await kubeAdminRequest(
    'GET',
    `${httpRoutesPath(namespace)}/${model}`,
  );
  return route.spec.rules[0].backendRefs.map(
    (r: { weight: number }) => r.weight,
  ) as number[];
}
