import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      {
        id: 'rollout',
        action: 'ml-platform:rollout:apply',
        name,
        input: {
          model: 'fraud-detector',
          cluster: 'local',
          namespace: 'ml-prod',
          ...input,
        },
      },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description: 'Canary: send 20 % of the traffic to version 3',
    example: step('Canary of version 3', {
      strategy: 'canary',
      target: { version: '3', percent: 20 },
    }),
  },
  {
    description: 'A/B test: split the traffic evenly between versions 2 and 3',
    example: step('A/B test of versions 2 and 3', {
      strategy: 'split',
      weights: { '2': 50, '3': 50 },
    }),
  },
  {
    description:
      'Promote version 3 to all traffic, only if the route is still as the user saw it',
    example: step('Promote version 3', {
      strategy: 'promote',
      target: { version: '3' },
      expectedResourceVersion: '48213',
    }),
  },
];
