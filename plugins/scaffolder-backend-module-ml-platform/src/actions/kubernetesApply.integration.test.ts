import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { createKubernetesApplyAction } from './kubernetesApply';
import { dryRun } from './__testUtils__/fakeRolloutsBackend';
import {
  createTestNamespace,
  deleteTestNamespace,
  kube,
  localKubernetesConfig,
} from '../kubernetes/__testUtils__/localNamespace';

// Against the real local apiserver (scripts/platform/up.sh), whose kwok nodes
// run the pods of Deployments.
jest.setTimeout(120_000);

const paths = {
  deployment: (ns: string, n: string) =>
    `/apis/apps/v1/namespaces/${ns}/deployments/${n}`,
  service: (ns: string, n: string) => `/api/v1/namespaces/${ns}/services/${n}`,
  httpRoute: (ns: string, n: string) =>
    `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${n}`,
  rollout: (ns: string, n: string) =>
    `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${n}`,
};

const labels = {
  'app.kubernetes.io/name': 'scorer',
  'ml-platform.io/model': 'fraud-detector',
  'ml-platform.io/model-version': '5',
};

const podTemplate = (extraSpec: object = {}) => ({
  metadata: { labels },
  spec: {
    containers: [
      {
        name: 'model',
        image: 'registry.example.com/models/scorer:5',
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    ],
    ...extraSpec,
  },
});

const deployment = (name: string, extraSpec: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: podTemplate(extraSpec),
  },
});

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'scorer-v5', labels },
  spec: { selector: labels, ports: [{ name: 'http', port: 8080 }] },
};

const httpRoute = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: {
    name: 'scorer',
    labels: { 'ml-platform.io/model': 'fraud-detector' },
  },
  spec: {
    parentRefs: [{ name: 'ml-gateway' }],
    rules: [{ backendRefs: [{ name: 'scorer-v5', port: 8080, weight: 0 }] }],
  },
};

const workspace = createMockDirectory();

function writeManifests(...objects: object[]) {
  workspace.setContent({
    'catalog-info.yaml': 'kind: Component\n',
    manifests: {
      'all.yaml': objects.map(o => yaml.stringify(o)).join('---\n'),
    },
  });
}

const action = createKubernetesApplyAction({
  config: localKubernetesConfig(),
  logger: mockServices.logger.mock(),
  discovery: mockServices.discovery(),
  auth: mockServices.auth(),
  readiness: { pollMs: 250, unwatchedAfterMs: 1500 },
});

function context(input: JsonObject) {
  return createMockActionContext({
    input,
    workspacePath: workspace.path,
  });
}

describe('ml-platform:kubernetes:apply on the local cluster', () => {
  let ns: string;
  beforeEach(async () => {
    ns = await createTestNamespace();
  });
  afterEach(async () => {
    await deleteTestNamespace(ns);
  });

  it('applies a model service, waits until it is available and is idempotent', async () => {
    writeManifests(deployment('scorer-v5'), service, httpRoute);
    const startedAt = new Date().toISOString();
    const ctx = context({ cluster: 'local', namespace: ns, startedAt });

    await action.handler(ctx as any);

    const refs = [
      `Deployment/${ns}/scorer-v5`,
      `Service/${ns}/scorer-v5`,
      `HTTPRoute/${ns}/scorer`,
    ];
    expect(ctx.output).toHaveBeenCalledWith('objects', refs);
    const elapsed = (ctx.output as jest.Mock).mock.calls.find(
      ([name]) => name === 'elapsedSeconds',
    )?.[1];
    expect(elapsed).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(120);

    const dep = (await kube('GET', paths.deployment(ns, 'scorer-v5'))).body;
    expect(dep.status.availableReplicas).toBe(1);
    expect(dep.metadata.labels).toEqual(labels);
    expect(dep.metadata.managedFields).toContainEqual(
      expect.objectContaining({
        manager: 'ml-platform-scaffolder',
        operation: 'Apply',
      }),
    );
    const route = (await kube('GET', paths.httpRoute(ns, 'scorer'))).body;
    expect(route.spec.rules[0].backendRefs[0]).toMatchObject({
      name: 'scorer-v5',
      weight: 0,
    });
    const before = {
      service: (await kube('GET', paths.service(ns, 'scorer-v5'))).body,
      route,
    };

    // Run again, as a retried or repeated template run would.
    const again = context({ cluster: 'local', namespace: ns });
    await action.handler(again as any);

    expect(again.output).toHaveBeenCalledWith('objects', refs);
    const depAfter = (await kube('GET', paths.deployment(ns, 'scorer-v5')))
      .body;
    expect(depAfter.metadata.generation).toBe(dep.metadata.generation);
    expect(
      (await kube('GET', paths.service(ns, 'scorer-v5'))).body.metadata
        .resourceVersion,
    ).toBe(before.service.metadata.resourceVersion);
    expect(
      (await kube('GET', paths.httpRoute(ns, 'scorer'))).body.metadata
        .resourceVersion,
    ).toBe(before.route.metadata.resourceVersion);
  });

  it('in a dry run has the apiserver validate everything and changes nothing', async () => {
    writeManifests(deployment('scorer-v5'), service, httpRoute);
    const ctx = dryRun(context({ cluster: 'local', namespace: ns }));

    await action.handler(ctx as any);

    expect(ctx.output).toHaveBeenCalledWith('objects', [
      `Deployment/${ns}/scorer-v5`,
      `Service/${ns}/scorer-v5`,
      `HTTPRoute/${ns}/scorer`,
    ]);
    expect((await kube('GET', paths.deployment(ns, 'scorer-v5'))).status).toBe(
      404,
    );
    expect((await kube('GET', paths.service(ns, 'scorer-v5'))).status).toBe(
      404,
    );
    expect((await kube('GET', paths.httpRoute(ns, 'scorer'))).status).toBe(404);
  });

  it('applies nothing when one object is invalid', async () => {
    const badRoute = {
      ...httpRoute,
      spec: {
        ...httpRoute.spec,
        rules: [
          { backendRefs: [{ name: 'scorer-v5', port: 8080, weight: -1 }] },
        ],
      },
    };
    writeManifests(deployment('scorer-v5'), service, badRoute);

    const run = action.handler(
      context({ cluster: 'local', namespace: ns }) as any,
    );

    await expect(run).rejects.toThrow(
      new RegExp(
        `^HTTPRoute/${ns}/scorer is invalid: .*weight.*Nothing was applied\\.$`,
      ),
    );
    await expect(run).rejects.toMatchObject({ name: 'InputError' });
    expect((await kube('GET', paths.deployment(ns, 'scorer-v5'))).status).toBe(
      404,
    );
    expect((await kube('GET', paths.service(ns, 'scorer-v5'))).status).toBe(
      404,
    );
  });

  it.each([
    [
      'a cluster-scoped kind',
      () => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'scorer-admin' },
        rules: [],
      }),
      /^ClusterRole scorer-admin is cluster-scoped; templates may only apply objects in a namespace\. Nothing was applied\.$/,
    ],
    [
      'an object of another namespace',
      () => ({
        ...service,
        metadata: { ...service.metadata, namespace: 'ml-prod' },
      }),
      /^Service scorer-v5 is for namespace 'ml-prod', not 'test-apply-.*'\. Nothing was applied\.$/,
    ],
    [
      'a kind the cluster does not serve',
      () => ({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
      }),
      /^Widget of example\.com\/v1 is not served by cluster 'local'; is its CRD installed\?$/,
    ],
  ])('refuses %s and applies nothing', async (_, object, message) => {
    writeManifests(deployment('scorer-v5'), object());

    await expect(
      action.handler(context({ cluster: 'local', namespace: ns }) as any),
    ).rejects.toThrow(message);
    expect((await kube('GET', paths.deployment(ns, 'scorer-v5'))).status).toBe(
      404,
    );
  });

  it('refuses a cluster that is not configured, naming those that are', async () => {
    writeManifests(service);
    await expect(
      action.handler(context({ cluster: 'prod-eu', namespace: ns }) as any),
    ).rejects.toThrow(
      "No kubernetes cluster named 'prod-eu' is configured (configured: 'local')",
    );
  });

  it('refuses a namespace that does not exist', async () => {
    writeManifests(service);
    await expect(
      action.handler(
        context({ cluster: 'local', namespace: `${ns}-missing` }) as any,
      ),
    ).rejects.toThrow(
      `Namespace '${ns}-missing' does not exist in cluster 'local'. Nothing was applied.`,
    );
  });

  it('does not undo traffic a rollout moved since the first apply', async () => {
    writeManifests(httpRoute);
    await action.handler(context({ cluster: 'local', namespace: ns }) as any);
    // As the backend's rollouts write weights: a JSON patch, another manager.
    const patched = await kube('PATCH', paths.httpRoute(ns, 'scorer'), [
      { op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 100 },
    ]);
    expect(patched.status).toBe(200);

    const run = action.handler(
      context({ cluster: 'local', namespace: ns }) as any,
    );

    await expect(run).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(run).rejects.toThrow(/^HTTPRoute\/.*\/scorer: .*conflict/i);
    const route = (await kube('GET', paths.httpRoute(ns, 'scorer'))).body;
    expect(route.spec.rules[0].backendRefs[0].weight).toBe(100);
  });

  it('names what is not ready when the wait times out', async () => {
    // No node has this label, so the pod is never scheduled.
    writeManifests(
      deployment('stuck-v5', { nodeSelector: { 'example.com/none': 'x' } }),
    );

    await expect(
      action.handler(
        context({ cluster: 'local', namespace: ns, timeoutSeconds: 3 }) as any,
      ),
    ).rejects.toThrow(
      `Timed out after 3s waiting for Deployment/${ns}/stuck-v5 (0 of 1 replicas available). The objects are applied; check their pods in the Kubernetes tab.`,
    );
  });

  it('applies an Argo Rollout and stops waiting for it when no controller runs it', async () => {
    const logger = mockServices.logger.mock();
    writeManifests({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'scorer', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: podTemplate(),
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      },
    });
    const ctx = createMockActionContext({
      input: { cluster: 'local', namespace: ns },
      workspacePath: workspace.path,
      logger,
    });

    await action.handler(ctx as any);

    expect(ctx.output).toHaveBeenCalledWith('objects', [
      `Rollout/${ns}/scorer`,
    ]);
    expect((await kube('GET', paths.rollout(ns, 'scorer'))).status).toBe(200);
    expect(logger.warn).toHaveBeenCalledWith(
      `Rollout/${ns}/scorer: no Argo Rollouts controller has picked it up in 2s; not waiting for it`,
    );
  });
});
