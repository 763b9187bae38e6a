import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the new service into the local directory and register it in the catalog',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'ml-platform:publish:local',
          name: 'Publish locally',
          input: { name: 'fraud-scorer' },
        },
      ],
    }),
  },
  {
    description: 'Publish only a sub-directory of the workspace',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'ml-platform:publish:local',
          name: 'Publish locally',
          input: { name: 'fraud-features', sourcePath: 'service' },
        },
      ],
    }),
  },
];
