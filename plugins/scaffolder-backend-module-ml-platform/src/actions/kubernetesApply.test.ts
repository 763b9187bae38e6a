import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { asUser, demoOwnerServices } from '../ownership/__testUtils__/demoOrg';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import { createKubernetesApplyAction } from './kubernetesApply';

// A cluster that is never reached: every case here is refused before.
const cluster = {
  name: 'prod-eu',
  url: 'https://127.0.0.1:1',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'token',
};

const workspace = createMockDirectory();

const allowStaging = {
  mlPlatform: {
    scaffolder: { apply: { allowedNamespaces: ['ml-staging'] } },
  },
};

function run(
  input: Record<string, unknown>,
  extraConfig: object = allowStaging,
  user = 'fatima',
) {
  const config = new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            cluster,
            { ...cluster, name: 'oidc', authProvider: 'oidc' },
          ],
        },
      ],
    },
    ...extraConfig,
  });
  const action = createKubernetesApplyAction({
    ...demoOwnerServices(),
    config,
    clusters: createKubernetesClusters({
      config,
      logger: mockServices.logger.mock(),
    }),
    discovery: mockServices.discovery(),
  });
  const ctx = {
    ...createMockActionContext({
      input: {
        cluster: 'prod-eu',
        namespace: 'ml-staging',
        owner: 'group:default/fraud-ml',
        ...input,
      },
      workspacePath: workspace.path,
    }),
    getInitiatorCredentials: async () => asUser(user),
  };
  return action.handler(ctx as any);
}

describe('ml-platform:kubernetes:apply', () => {
  beforeEach(() => {
    workspace.setContent({
      manifests: {
        'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
      },
    });
  });

  it('refuses a namespace outside mlPlatform.scaffolder.apply.allowedNamespaces', async () => {
    await expect(
      run(
        { namespace: 'kube-system' },
        {
          mlPlatform: {
            scaffolder: {
              apply: { allowedNamespaces: ['ml-staging', 'ml-prod'] },
            },
          },
        },
      ),
    ).rejects.toThrow(
      "Templates may not apply to namespace 'kube-system'; allowed: ml-staging, ml-prod",
    );
  });

  it('applies nowhere when no namespace is allowed in the config', async () => {
    await expect(run({}, {})).rejects.toThrow(
      'mlPlatform.scaffolder.apply.allowedNamespaces is not configured: list the namespaces templates may apply to. Nothing was applied.',
    );
  });

  it("refuses an owner that is not one of the user's groups, before reaching the cluster", async () => {
    const attempt = run({ owner: 'group:default/recsys-ml' });
    await expect(attempt).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(attempt).rejects.toThrow(
      /^user:default\/fatima may not create a service owned by group:default\/recsys-ml/,
    );
  });

  it.each([
    [
      'a Secret',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n',
      'Secret s (v1) is not a kind templates may apply; allowed: apps/v1/Deployment, v1/Service, gateway.networking.k8s.io/v1/HTTPRoute, argoproj.io/v1alpha1/Rollout. Nothing was applied.',
    ],
    [
      'a RoleBinding',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: r\n',
      /^RoleBinding r \(rbac\.authorization\.k8s\.io\/v1\) is not a kind templates may apply/,
    ],
    [
      'a Service in an old apiVersion',
      'apiVersion: v2\nkind: Service\nmetadata:\n  name: s\n',
      /^Service s \(v2\) is not a kind templates may apply/,
    ],
  ])('refuses %s before reaching the cluster', async (_, manifest, message) => {
    workspace.setContent({
      manifests: {
        'a.yaml': `apiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n---\n${manifest}`,
      },
    });
    await expect(run({})).rejects.toThrow(message);
  });

  it('refuses a manifest that names another owner', async () => {
    workspace.setContent({
      manifests: {
        'a.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    ml-platform.io/owner: recsys-ml\n',
      },
    });
    await expect(run({})).rejects.toThrow(
      "Service s names owner 'recsys-ml' in its ml-platform.io/owner label or annotation, but this apply is for group:default/fraud-ml. Nothing was applied.",
    );
  });

  it('refuses a namespace that is not a DNS-1123 label', async () => {
    await expect(run({ namespace: 'ML_Staging' })).rejects.toThrow(
      "namespace 'ML_Staging' is not a DNS-1123 label",
    );
  });

  it('refuses a configured cluster it has no credentials for, saying why', async () => {
    const attempt = run({ cluster: 'oidc' });
    await expect(attempt).rejects.toThrow(
      /^Cluster 'oidc' cannot be used: authProvider 'oidc' signs in with each user's own token/,
    );
    await expect(attempt).rejects.toMatchObject({ name: 'InputError' });
  });

  it.each([
    [
      { 'README.md': '# x' },
      "path 'manifests': no YAML manifests found in the workspace",
    ],
    [
      { manifests: { 'a.yaml': 'kind: Service\nmetadata: {name: s}\n' } },
      'manifests/a.yaml document 1: apiVersion is missing',
    ],
    [
      {
        manifests: {
          'a.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {}\n',
        },
      },
      'manifests/a.yaml document 1: metadata.name is missing',
    ],
    [
      { manifests: { 'a.yaml': 'apiVersion: v1\nkind: [\n' } },
      /^manifests\/a\.yaml: invalid YAML/,
    ],
    [
      { manifests: { 'a.yaml': '---\n' } },
      "path 'manifests': the manifests are empty",
    ],
  ])(
    'refuses bad manifests %j before reaching the cluster',
    async (content, message) => {
      workspace.setContent(content);
      await expect(run({})).rejects.toThrow(message);
    },
  );

  it('refuses a path outside the workspace', async () => {
    await expect(run({ path: '../../etc' })).rejects.toThrow(
      /outside of the working directory|not allowed/i,
    );
  });
});
