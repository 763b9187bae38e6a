import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import {
  kubeAdminRequest,
  kubeRequest,
  type LocalKube,
  mlflowAdminApi,
  readPlatformFile,
} from 'platform-tests';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from '../testing/startBackendProcess';
import { objectPath, serverSideApply } from './__testUtils__/serverSideApply';
import {
  httpRoutesPath,
  modelLabels,
  routeWeights,
  serveModel,
} from '../__testUtils__/servedModel';
import {
  DEPLOY_DIR,
  type Manifest,
  readManifestFile,
} from './__testUtils__/readDeployManifests';

// The portal's real backend holding nothing but a token of a ServiceAccount
// bound to the shipped ClusterRoles (deploy/rbac/), as in production: the
// model catalog, the Kubernetes tab and a canary with its rollback work, and
// the apiserver refuses that same token everything else. The roles are
// applied for real under names of this run's own (same rules), and deleted
// afterwards with the scratch namespaces, MLflow model and files.

jest.setTimeout(300_000);

const id = randomUUID().slice(0, 8);
const portalNs = `test-rbac-${id}`;
/** Where the shipped rollouts role is bound: the portal may shift traffic here. */
const modelsNs = `test-rbac-${id}-models`;
/** Where it is not bound. */
const otherNs = `test-rbac-${id}-other`;
/** Where the optional scaffolder-apply role is bound. */
const appsNs = `test-rbac-${id}-apps`;
const model = `test-rbac-${id}`;
const entityName = `rbac-${id}`;
const FIELD_MANAGER = 'ml-platform-rbac-test';
const PORT = 8080;

const kube = readPlatformFile<LocalKube>('kube');
const mlflow = readPlatformFile<{
  url: string;
  username: string;
  password: string;
}>('mlflow');

/**
 * The shipped RBAC, bound to this run's ServiceAccount under this run's
 * names: the rollouts role in `modelsNs` only, and the optional
 * scaffolder-apply role in `appsNs` only.
 */
function rbacOfThisRun(): Manifest[] {
  const rename = (name: string) => `${name}-${id}`;
  const bindIn = (ns: string) => (manifests: Manifest[]) =>
    manifests
      .filter(
        (m, i, all) =>
          m.kind !== 'RoleBinding' ||
          all.findIndex(o => o.kind === 'RoleBinding') === i,
      )
      .map(m =>
        m.kind === 'RoleBinding'
          ? { ...m, metadata: { ...m.metadata, namespace: ns } }
          : m,
      );
  return [
    ...readManifestFile('rbac/catalog-reader.yaml'),
    ...readManifestFile('rbac/kubernetes-tab-reader.yaml'),
    ...bindIn(modelsNs)(readManifestFile('rbac/kubernetes-tab-logs.yaml')),
    ...bindIn(modelsNs)(readManifestFile('rbac/rollouts.yaml')),
    ...bindIn(appsNs)(
      readManifestFile('optional/scaffolder-apply/scaffolder-apply.yaml'),
    ),
  ].map(m => {
    const copy = structuredClone(m) as any;
    copy.metadata.name = rename(copy.metadata.name);
    if (copy.roleRef) copy.roleRef.name = rename(copy.roleRef.name);
    for (const subject of copy.subjects ?? []) subject.namespace = portalNs;
    return copy;
  });
}

const labels = (version: string) => modelLabels(model, version, entityName);

const routes = httpRoutesPath;

async function servedVersions(ns: string) {
  await serveModel({
    namespace: ns,
    model,
    weights: { '1': 100, '2': 0 },
    entity: entityName,
  });
}

const weights = (ns: string) => routeWeights(ns, model);

let tmpDir: string;
let saToken: string;
let backend: BackendProcess | undefined;
let guest: string;

const portal = async (method: string, urlPath: string, body?: object) => {
  const res = await fetch(`${backend!.baseUrl}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${guest}`,
      ...(body && { 'content-type': 'application/json' }),
    },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

/** The same token, straight to the apiserver. */
const asPortal = (
  method: string,
  urlPath: string,
  body?: unknown,
  type?: string,
) => kubeRequest(method, urlPath, body, type, saToken);

beforeAll(async () => {
  for (const ns of [portalNs, modelsNs, otherNs, appsNs]) {
    await kubeAdminRequest('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  }
  await kubeAdminRequest(
    'POST',
    `/api/v1/namespaces/${portalNs}/serviceaccounts`,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'ml-platform-portal' },
    },
  );
  for (const m of rbacOfThisRun()) {
    const res = await serverSideApply(m, {
      dryRun: false,
      fieldManager: FIELD_MANAGER,
    });
    if (res.status >= 300) {
      throw new Error(
        `${m.kind} ${m.metadata.name}: ${JSON.stringify(res.body)}`,
      );
    }
  }
  saToken = (
    await kubeAdminRequest(
      'POST',
      `/api/v1/namespaces/${portalNs}/serviceaccounts/ml-platform-portal/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    )
  ).status.token;

  await mlflowAdminApi('POST', 'registered-models/create', { name: model });
  for (const v of ['1', '2']) {
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: model,
      source: `s3://scratch/${model}/${v}`,
    });
  }
  await servedVersions(modelsNs);
  await servedVersions(otherNs);

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-rbac-'));
  const entityFile = path.join(tmpDir, 'entity.yaml');
  fs.writeFileSync(
    entityFile,
    yaml.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: entityName,
        annotations: {
          'ml-platform.io/registered-model': `mlflow/${model}`,
          'backstage.io/kubernetes-id': entityName,
        },
      },
      // The guest's team: the portal's policy lets owners roll out.
      spec: {
        type: 'model-service',
        lifecycle: 'production',
        owner: 'group:default/fraud-ml',
      },
    }),
  );
  const configFile = path.join(tmpDir, 'app-config.rbac.yaml');
  fs.writeFileSync(
    configFile,
    yaml.stringify({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'local',
                url: kube.server,
                authProvider: 'serviceAccount',
                serviceAccountToken: saToken,
                caData: kube.caData,
                skipMetricsLookup: true,
              },
            ],
          },
        ],
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.resolve(DEPLOY_DIR, '../catalog/org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: entityFile },
        ],
      },
      mlPlatform: {
        // The guest's entity claims the model.
        ownership: { trustedLocations: [`file:${entityFile}`] },
        // The scratch versions have no files to judge: unknown, which only
        // the namespaces config names may serve.
        safety: {
          allowUnknown: [modelsNs, otherNs].map(namespace => ({
            cluster: 'local',
            namespace,
          })),
        },
        registries: {
          mlflow: [
            {
              id: 'mlflow',
              baseUrl: mlflow.url,
              auth: { username: mlflow.username, password: mlflow.password },
            },
          ],
        },
      },
    }),
  );
  backend = await startBackendProcess({ configs: [configFile] });
  guest = await backend.signInAsGuest();
  await eventually(
    async () => {
      const found = await Promise.all(
        [`user/default/guest`, `component/default/${entityName}`].map(
          async ref =>
            (
              await portal('GET', `/api/catalog/entities/by-name/${ref}`)
            ).status === 200,
        ),
      );
      return found.every(Boolean) || undefined;
    },
    'the catalog to hold the guest and the entity',
    180_000,
  );
  // Signed in again: the ownership claims are read from the catalog at sign-in.
  guest = await backend.signInAsGuest();
});

afterAll(async () => {
  await backend?.stop();
  for (const m of rbacOfThisRun()) {
    await kubeRequest('DELETE', await objectPath(m));
  }
  for (const ns of [portalNs, modelsNs, otherNs, appsNs]) {
    await kubeRequest('DELETE', `/api/v1/namespaces/${ns}`);
  }
  await mlflowAdminApi('DELETE', 'registered-models/delete', {
    name: model,
  }).catch(() => undefined);
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe('the portal with a token bound only to the shipped roles', () => {
  it('reads every watched kind: the catalog shows the deployments and the cluster is healthy', async () => {
    const details = await eventually(async () => {
      const res = await portal('GET', `/api/ml-platform/models/${model}`);
      const deployments = res.body.deployments ?? [];
      return deployments.length === 2 && deployments.every((d: any) => d.router)
        ? res.body
        : undefined;
    }, 'the model catalog to show both deployments');
    expect(
      details.deployments
        .map((d: any) => [
          d.namespace,
          d.router.kind,
          d.versions.map((v: any) => [v.version, v.percent]),
        ])
        .sort(),
    ).toEqual([
      [
        modelsNs,
        'HTTPRoute',
        [
          ['1', 100],
          ['2', 0],
        ],
      ],
      [
        otherNs,
        'HTTPRoute',
        [
          ['1', 100],
          ['2', 0],
        ],
      ],
    ]);
    // A kind the token could not list or watch would show here as an error.
    expect(details.clusters).toEqual([
      expect.objectContaining({ name: 'local', ok: true }),
    ]);
  });

  it('shows the Kubernetes tab: the pods of the entity, with no error', async () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: entityName,
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': entityName },
      },
      spec: {},
    };
    const res = await eventually(async () => {
      const r = await portal('POST', `/api/kubernetes/services/${entityName}`, {
        entity,
      });
      const pods = r.body.items?.[0]?.resources?.find(
        (x: any) => x.type === 'pods',
      )?.resources;
      return pods?.length === 4 ? r : undefined;
    }, 'the Kubernetes tab to show the four pods');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ cluster: { name: 'local' }, errors: [] }),
    ]);
  });

  it('runs a canary and rolls it back where the rollouts role is bound', async () => {
    const deployment = { model, cluster: 'local', namespace: modelsNs };
    const canary = await portal('POST', '/api/ml-platform/rollouts', {
      ...deployment,
      strategy: 'canary',
      target: { version: '2', percent: 20 },
    });
    expect(canary.status).toBe(200);
    expect(await weights(modelsNs)).toEqual([80, 20]);

    const rollback = await portal('POST', '/api/ml-platform/rollouts', {
      ...deployment,
      strategy: 'rollback',
    });
    expect(rollback.status).toBe(200);
    expect(await weights(modelsNs)).toEqual([100, 0]);
  });

  it('cannot shift traffic in a namespace where the role is not bound', async () => {
    const before = await kubeAdminRequest('GET', `${routes(otherNs)}/${model}`);
    const canary = await portal('POST', '/api/ml-platform/rollouts', {
      model,
      cluster: 'local',
      namespace: otherNs,
      strategy: 'canary',
      target: { version: '2', percent: 20 },
    });
    expect(canary.status).toBeGreaterThanOrEqual(400);
    expect(canary.body.error.message).toMatch(/forbidden/i);
    const trail = await portal(
      'GET',
      `/api/ml-platform/models/${model}/rollouts?namespace=${otherNs}`,
    );
    expect(trail.body.items).toEqual([
      expect.objectContaining({
        strategy: 'canary',
        result: 'failed',
        error: canary.body.error.message,
      }),
    ]);
    const after = await kubeAdminRequest('GET', `${routes(otherNs)}/${model}`);
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });

  it('may send what the Argo Rollouts and KServe routers send, where the rollouts role is bound', async () => {
    const argo = (ns: string) =>
      `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${model}`;
    const kserve = (ns: string) =>
      `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices/${model}`;
    for (const ns of [modelsNs, otherNs]) {
      await kubeAdminRequest(
        'POST',
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`,
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: model },
          spec: {
            paused: true,
            selector: { matchLabels: labels('2') },
            template: {
              metadata: { labels: labels('2') },
              spec: { containers: [{ name: 'model', image: 'model:2' }] },
            },
            strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
          },
        },
      );
      await kubeAdminRequest(
        'POST',
        `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`,
        {
          apiVersion: 'serving.kserve.io/v1beta1',
          kind: 'InferenceService',
          metadata: { name: model },
          spec: {
            predictor: {
              canaryTrafficPercent: 10,
              model: {
                modelFormat: { name: 'mlflow' },
                storageUri: `mlflow://${model}/2`,
              },
            },
          },
        },
      );
    }
    const merge = 'application/merge-patch+json';
    const json = 'application/json-patch+json';
    const writes = (ns: string) =>
      Promise.all([
        asPortal('GET', argo(ns)),
        // resume, then promote and abort on the status subresource
        asPortal('PATCH', argo(ns), { spec: { paused: false } }, merge),
        asPortal(
          'PATCH',
          `${argo(ns)}/status`,
          { status: { pauseConditions: null } },
          merge,
        ),
        asPortal(
          'PATCH',
          `${argo(ns)}/status`,
          { status: { abort: true } },
          merge,
        ),
        asPortal('GET', kserve(ns)),
        asPortal(
          'PATCH',
          kserve(ns),
          [
            {
              op: 'replace',
              path: '/spec/predictor/canaryTrafficPercent',
              value: 30,
            },
          ],
          json,
        ),
      ]).then(all => all.map(r => r.status));
    expect(await writes(modelsNs)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await writes(otherNs)).toEqual([403, 403, 403, 403, 403, 403]);
  });

  it('may server-side apply a new service where the optional scaffolder-apply role is bound, and nothing more', async () => {
    const apply = (ns: string, manifest: any) =>
      asPortal(
        'PATCH',
        `${manifest.path(ns)}/${
          manifest.body.metadata.name
        }?fieldManager=ml-platform-scaffolder`,
        manifest.body,
        'application/apply-patch+yaml',
      );
    const service = {
      path: (ns: string) => `/api/v1/namespaces/${ns}/services`,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'new-service' },
        spec: { selector: labels('1'), ports: [{ port: PORT }] },
      },
    };
    const deployment = {
      path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`,
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'new-service' },
        spec: {
          replicas: 0,
          selector: { matchLabels: labels('1') },
          template: {
            metadata: { labels: labels('1') },
            spec: { containers: [{ name: 'model', image: 'model:1' }] },
          },
        },
      },
    };
    const route = {
      path: routes,
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'new-service' },
        spec: {
          rules: [{ backendRefs: [{ name: 'new-service', port: PORT }] }],
        },
      },
    };
    const statuses = async (ns: string) => {
      const out = [];
      for (const m of [service, deployment, route]) {
        out.push((await apply(ns, m)).status);
      }
      // Applied again: the same apply updates what it created.
      out.push((await apply(ns, deployment)).status);
      return out;
    };
    expect(await statuses(appsNs)).toEqual([201, 201, 201, 200]);
    expect(
      (
        await asPortal(
          'GET',
          `/apis/apps/v1/namespaces/${appsNs}/deployments/new-service`,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await asPortal(
          'DELETE',
          `/apis/apps/v1/namespaces/${appsNs}/deployments/new-service`,
        )
      ).status,
    ).toBe(403);
    expect(await statuses(modelsNs)).toEqual([403, 403, 403, 403]);
  });

  it('is refused by the apiserver for anything outside the roles', async () => {
    const deploymentPath = `/apis/apps/v1/namespaces/${modelsNs}/deployments/${model}-v1`;
    const refused = {
      'read Secrets': await asPortal(
        'GET',
        `/api/v1/namespaces/${modelsNs}/secrets`,
      ),
      'read one Secret': await asPortal(
        'GET',
        `/api/v1/namespaces/${modelsNs}/secrets/anything`,
      ),
      'delete a Deployment': await asPortal('DELETE', deploymentPath),
      'patch a Deployment': await asPortal(
        'PATCH',
        deploymentPath,
        { spec: { replicas: 5 } },
        'application/merge-patch+json',
      ),
      'create a Deployment': await asPortal(
        'POST',
        `/apis/apps/v1/namespaces/${modelsNs}/deployments`,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
      ),
      'delete an HTTPRoute': await asPortal(
        'DELETE',
        `${routes(modelsNs)}/${model}`,
      ),
      'patch an HTTPRoute elsewhere': await asPortal(
        'PATCH',
        `${routes(otherNs)}/${model}`,
        { metadata: { labels: { touched: 'yes' } } },
        'application/merge-patch+json',
      ),
      'exec into a Pod': await asPortal(
        'POST',
        `/api/v1/namespaces/${modelsNs}/pods/any/exec?command=sh`,
      ),
      'change its own roles': await asPortal(
        'DELETE',
        `/apis/rbac.authorization.k8s.io/v1/clusterroles/ml-platform-rollouts-${id}`,
      ),
    };
    expect(
      Object.fromEntries(
        Object.entries(refused).map(([k, r]) => [k, r.status]),
      ),
    ).toEqual(Object.fromEntries(Object.keys(refused).map(k => [k, 403])));
    const deployment = await kubeAdminRequest('GET', deploymentPath);
    expect(deployment.spec.replicas).toBe(1);
  });

  it("reads no ConfigMap, and pod logs and events only where the tab's logs role is bound", async () => {
    // What the apiserver itself answers for this token.
    const may = async (attributes: object) =>
      (
        await asPortal(
          'POST',
          '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: attributes },
          },
        )
      ).body.status.allowed;
    const logs = (namespace: string) => ({
      verb: 'get',
      resource: 'pods',
      subresource: 'log',
      namespace,
    });
    const events = (namespace: string) => ({
      verb: 'list',
      resource: 'events',
      namespace,
    });
    expect({
      'list ConfigMaps anywhere': await may({
        verb: 'list',
        resource: 'configmaps',
      }),
      'list ConfigMaps in a model namespace': await may({
        verb: 'list',
        resource: 'configmaps',
        namespace: modelsNs,
      }),
      'pod logs in a model namespace': await may(logs(modelsNs)),
      'pod logs elsewhere': await may(logs(otherNs)),
      'events in a model namespace': await may(events(modelsNs)),
      'events elsewhere': await may(events(otherNs)),
      'list pods anywhere': await may({ verb: 'list', resource: 'pods' }),
    }).toEqual({
      'list ConfigMaps anywhere': false,
      'list ConfigMaps in a model namespace': false,
      'pod logs in a model namespace': true,
      'pod logs elsewhere': false,
      'events in a model namespace': true,
      'events elsewhere': false,
      'list pods anywhere': true,
    });
  });
});
