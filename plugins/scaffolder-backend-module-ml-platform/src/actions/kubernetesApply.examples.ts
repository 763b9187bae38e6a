import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      { id: 'apply', action: 'ml-platform:kubernetes:apply', name, input },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'Apply the manifests directory to ml-staging for the owner the template checked, and wait for the new version',
    example: step('Deploy to the cluster', {
      cluster: 'local',
      namespace: 'ml-staging',
      owner: 'group:default/fraud-ml',
    }),
  },
  {
    description:
      'Apply one file, wait at most 2 minutes, and time it from the model check instead of the start of the task',
    example: step('Deploy and time it', {
      cluster: 'local',
      namespace: 'ml-staging',
      owner: 'group:default/fraud-ml',
      path: 'manifests/deployment.yaml',
      timeoutSeconds: 120,
      startedAt: '${{ steps.check.output.checkedAt }}',
    }),
  },
  {
    description: 'Apply without waiting for the pods',
    example: step('Apply only', {
      cluster: 'local',
      namespace: 'ml-staging',
      owner: 'group:default/fraud-ml',
      waitForReady: false,
    }),
  },
];
