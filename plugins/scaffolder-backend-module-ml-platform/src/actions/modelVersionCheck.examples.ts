import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      { id: 'check', action: 'ml-platform:model-version:check', name, input },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'Check version 5 of fraud-detector before generating its service',
    example: step('Check the model version', {
      model: 'fraud-detector',
      version: 5,
    }),
  },
  {
    description:
      'Check a version in a named registry, as the model picker of the form gives it',
    example: step('Check the model version', {
      model: 'product-ranker',
      version: '3',
      registry: 'mlflow',
    }),
  },
];
