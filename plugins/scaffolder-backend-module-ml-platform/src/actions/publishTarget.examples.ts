import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Find the publish step for the new service, then run only that one',
    example: yaml.stringify({
      steps: [
        {
          id: 'target',
          action: 'ml-platform:publish:target',
          name: 'Where to publish',
          input: { name: 'fraud-scorer' },
        },
        {
          id: 'publish-github',
          if: "${{ steps.target.output.provider === 'github' }}",
          action: 'publish:github',
          name: 'Publish to GitHub',
          input: { repoUrl: '${{ steps.target.output.repoUrl }}' },
        },
      ],
    }),
  },
];
