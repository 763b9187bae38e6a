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
  localClusters,
  localKubernetesConfig,
} from '../kubernetes/__testUtils__/localNamespace';
import { asUser, demoOwnerServices } from '../ownership/__testUtils__/demoOrg';

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

/** The action with only the test's namespace allowed. */
function applyAction(namespace: string, apply: object = {}) {
  const config = localKubernetesConfig({
    mlPlatform: {
      scaffolder: { apply: { allowedNamespaces: [namespace], ...apply } },
    },
  });
  return createKubernetesApplyAction({
    ...demoOwnerServices(),
    config,
    clusters: localClusters(config),
    discovery: mockServices.discovery(),
    readiness: { pollMs: 250, unwatchedAfterMs: 1500 },
  });
}

// By default fatima of fraud-ml applies for her team.
const FRAUD = { user: 'fatima', owner: 'group:default/fraud-ml' };
const RECSYS = { user: 'ren', owner: 'group:default/recsys-ml' };

function context(
  input: JsonObject,
  as = FRAUD,
  logger?: ReturnType<typeof mockServices.logger.mock>,
) {
  return {
    ...createMockActionContext({
      input: { owner: as.owner, ...input },
      workspacePath: workspace.path,
      ...(logger && { logger }),
    }),
    getInitiatorCredentials: async () => asUser(as.user),
  };
}

const OWNER = 'ml-platform.io/owner';

/** The Service scorer-v5 is as it was at resourceVersion, selecting the first team's pods. */
async function expectServiceUnchanged(ns: string, resourceVersion: string) {
  const after = (await kube('GET', paths.service(ns, 'scorer-v5'))).body;
  expect(after.metadata.resourceVersion).toBe(resourceVersion);
  expect(after.spec.selector).toEqual(labels);
  return after;
}

describe('ml-platform:kubernetes:apply on the local cluster', () => {
  let ns: string;
  let action: ReturnType<typeof applyAction>;
  beforeEach(async () => {
    ns = await createTestNamespace();
    action = applyAction(ns);
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
    expect(dep.metadata.labels).toEqual({ ...labels, [OWNER]: 'fraud-ml' });
    expect(dep.metadata.annotations[OWNER]).toBe('group:default/fraud-ml');
    expect(dep.metadata.managedFields).toContainEqual(
      expect.objectContaining({
        manager: 'ml-platform/group:default/fraud-ml',
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
      'a kind the templates do not produce',
      () => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'scorer-admin' },
        rules: [],
      }),
      /^ClusterRole scorer-admin \(rbac\.authorization\.k8s\.io\/v1\) is not a kind templates may apply; allowed: .*\. Nothing was applied\.$/,
    ],
    [
      'an object of another namespace',
      () => ({
        ...service,
        metadata: { ...service.metadata, namespace: 'ml-prod' },
      }),
      /^Service scorer-v5 is for namespace 'ml-prod', not 'test-apply-.*'\. Nothing was applied\.$/,
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

  it('refuses a kind the cluster does not serve, when the config allows it', async () => {
    writeManifests(deployment('scorer-v5'), {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
    });
    const lenient = applyAction(ns, {
      allowedKinds: ['apps/v1/Deployment', 'example.com/v1/Widget'],
    });

    await expect(
      lenient.handler(context({ cluster: 'local', namespace: ns }) as any),
    ).rejects.toThrow(
      "Widget of example.com/v1 is not served by cluster 'local'; is its CRD installed?",
    );
    expect((await kube('GET', paths.deployment(ns, 'scorer-v5'))).status).toBe(
      404,
    );
  });

  it('refuses a cluster-scoped kind even when the config allows the kind', async () => {
    writeManifests(deployment('scorer-v5'), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'scorer-admin' },
      rules: [],
    });
    const lenient = applyAction(ns, {
      allowedKinds: [
        'apps/v1/Deployment',
        'rbac.authorization.k8s.io/v1/ClusterRole',
      ],
    });

    await expect(
      lenient.handler(context({ cluster: 'local', namespace: ns }) as any),
    ).rejects.toThrow(
      'ClusterRole scorer-admin is cluster-scoped; templates may only apply objects in a namespace. Nothing was applied.',
    );
    expect((await kube('GET', paths.deployment(ns, 'scorer-v5'))).status).toBe(
      404,
    );
  });

  it("refuses a second team's apply of a same-named Service and leaves the first team's Service as it was", async () => {
    writeManifests(service);
    await action.handler(context({ cluster: 'local', namespace: ns }) as any);
    const victim = (await kube('GET', paths.service(ns, 'scorer-v5'))).body;
    expect(victim.metadata.annotations[OWNER]).toBe('group:default/fraud-ml');

    // recsys-ml's new service of the same name would send the Service's
    // traffic to its own pods.
    writeManifests({
      ...service,
      metadata: { name: 'scorer-v5', labels: { app: 'ranker' } },
      spec: { selector: { app: 'ranker' }, ports: [{ port: 8080 }] },
    });
    const takeover = action.handler(
      context({ cluster: 'local', namespace: ns }, RECSYS) as any,
    );

    await expect(takeover).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(takeover).rejects.toThrow(
      `Service/${ns}/scorer-v5 already exists and belongs to group:default/fraud-ml; an apply for group:default/recsys-ml does not change it. Choose another name. Nothing was applied.`,
    );
    const after = await expectServiceUnchanged(
      ns,
      victim.metadata.resourceVersion,
    );
    expect(after.metadata.managedFields.map((f: any) => f.manager)).toEqual([
      'ml-platform/group:default/fraud-ml',
    ]);
  });

  it('refuses to change an object that no template made', async () => {
    const created = await kube('POST', `/api/v1/namespaces/${ns}/services`, {
      ...service,
      metadata: { name: 'scorer-v5', labels },
    });
    expect(created.status).toBe(201);
    writeManifests({
      ...service,
      spec: { selector: { app: 'other' }, ports: [{ port: 8080 }] },
    });

    await expect(
      action.handler(context({ cluster: 'local', namespace: ns }) as any),
    ).rejects.toThrow(
      `Service/${ns}/scorer-v5 already exists and was not made by a template (no ${OWNER} annotation); an apply for group:default/fraud-ml does not change it. Choose another name. Nothing was applied.`,
    );
    await expectServiceUnchanged(ns, created.body.metadata.resourceVersion);
  });

  it("has the apiserver refuse a change to another owner's fields even past the owner check", async () => {
    writeManifests(service);
    await action.handler(context({ cluster: 'local', namespace: ns }) as any);
    // As if the object had changed hands between the check and the apply:
    // its annotation names recsys-ml, its fields are fraud-ml's manager's.
    const handedOver = await kube('PATCH', paths.service(ns, 'scorer-v5'), [
      {
        op: 'replace',
        path: '/metadata/annotations/ml-platform.io~1owner',
        value: 'group:default/recsys-ml',
      },
      {
        op: 'replace',
        path: '/metadata/labels/ml-platform.io~1owner',
        value: 'recsys-ml',
      },
    ]);
    expect(handedOver.status).toBe(200);
    writeManifests({
      ...service,
      spec: { selector: { app: 'ranker' }, ports: [{ port: 8080 }] },
    });

    const run = action.handler(
      context({ cluster: 'local', namespace: ns }, RECSYS) as any,
    );

    await expect(run).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(run).rejects.toThrow(
      new RegExp(`^Service/${ns}/scorer-v5: .*conflict.*spec\\.selector`, 'is'),
    );
    await expectServiceUnchanged(ns, handedOver.body.metadata.resourceVersion);
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
      applyAction(`${ns}-missing`).handler(
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

  it('applies an Argo Rollout and waits until the Argo Rollouts controller reports it healthy', async () => {
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
    const ctx = context({ cluster: 'local', namespace: ns }, FRAUD, logger);

    await action.handler(ctx as any);

    expect(ctx.output).toHaveBeenCalledWith('objects', [
      `Rollout/${ns}/scorer`,
    ]);
    const rollout = (await kube('GET', paths.rollout(ns, 'scorer'))).body;
    expect(rollout.status).toMatchObject({
      phase: 'Healthy',
      availableReplicas: 1,
    });
    expect(logger.info).toHaveBeenCalledWith(`Rollout/${ns}/scorer is ready`);
    expect(logger.warn).not.toHaveBeenCalledWith(
      expect.stringContaining('no Argo Rollouts controller'),
    );
  });
});
