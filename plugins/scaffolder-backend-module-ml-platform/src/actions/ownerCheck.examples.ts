import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (owner: string) =>
  yaml.stringify({
    steps: [
      {
        id: 'owner',
        action: 'ml-platform:owner:check',
        name: 'Check the owner',
        input: { owner },
      },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      "Refuse an owner that is not one of the user's groups, before anything is rendered",
    example: step('group:default/fraud-ml'),
  },
  {
    description: 'A bare name is a group of the default namespace',
    example: step('fraud-ml'),
  },
];
