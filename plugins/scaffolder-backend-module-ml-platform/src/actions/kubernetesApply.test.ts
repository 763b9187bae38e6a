import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createKubernetesApplyAction } from './kubernetesApply';

// A cluster that is never reached: every case here is refused before.
const cluster = {
  name: 'prod-eu',
  url: 'https://127.0.0.1:1',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'token',
};

const workspace = createMockDirectory();

function run(input: Record<string, unknown>, extraConfig: object = {}) {
  const action = createKubernetesApplyAction({
    config: new ConfigReader({
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
    }),
    logger: mockServices.logger.mock(),
    discovery: mockServices.discovery(),
    auth: mockServices.auth(),
  });
  const ctx = createMockActionContext({
    input: { cluster: 'prod-eu', namespace: 'ml-staging', ...input },
    workspacePath: workspace.path,
  });
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

  it('refuses a namespace that is not a DNS-1123 label', async () => {
    await expect(run({ namespace: 'ML_Staging' })).rejects.toThrow(
      "namespace 'ML_Staging' is not a DNS-1123 label",
    );
  });

  it('refuses a configured cluster it has no credentials for, saying why', async () => {
    const attempt = run({ cluster: 'oidc' });
    await expect(attempt).rejects.toThrow(
      /^Cluster 'oidc' cannot be watched: authProvider 'oidc' is not supported/,
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
