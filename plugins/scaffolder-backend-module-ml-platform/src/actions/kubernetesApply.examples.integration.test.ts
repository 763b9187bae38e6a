import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createKubernetesApplyAction } from './kubernetesApply';
import { examples } from './kubernetesApply.examples';
import { dryRun } from './__testUtils__/fakeRolloutsBackend';
import {
  localClusters,
  localKubernetesConfig,
} from '../kubernetes/__testUtils__/localNamespace';
import { asUser, demoOwnerServices } from '../ownership/__testUtils__/demoOrg';

// Each example as a dry run against the local cluster's demo namespace
// (scripts/platform/up.sh): validated by the real apiserver, nothing changed.
const workspace = createMockDirectory();

describe('ml-platform:kubernetes:apply examples', () => {
  const config = localKubernetesConfig({
    mlPlatform: {
      scaffolder: { apply: { allowedNamespaces: ['ml-staging'] } },
    },
  });
  const action = createKubernetesApplyAction({
    ...demoOwnerServices(),
    config,
    clusters: localClusters(config),
    discovery: mockServices.discovery(),
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      workspace.setContent({
        manifests: {
          'deployment.yaml': yaml.stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'example-scorer-v5' },
            spec: {
              selector: { matchLabels: { app: 'example-scorer' } },
              template: {
                metadata: { labels: { app: 'example-scorer' } },
                spec: { containers: [{ name: 'model', image: 'scorer:5' }] },
              },
            },
          }),
        },
      });
      const ctx = dryRun({
        ...createMockActionContext({
          input: step.input,
          workspacePath: workspace.path,
        }),
        getInitiatorCredentials: async () => asUser('fatima'),
      });

      await action.handler(ctx as any);

      expect(ctx.output).toHaveBeenCalledWith('objects', [
        `Deployment/${step.input.namespace}/example-scorer-v5`,
      ]);
    },
  );
});
