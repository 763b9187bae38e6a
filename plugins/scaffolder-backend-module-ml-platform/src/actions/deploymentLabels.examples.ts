import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Labels for version 3 of the fraud-detector model',
    example: yaml.stringify({
      steps: [
        {
          id: 'labels',
          action: 'ml-platform:deployment:labels',
          name: 'Compute deployment labels',
          input: {
            name: 'fraud-scorer',
            model: 'fraud-detector',
            version: '3',
          },
        },
      ],
    }),
  },
  {
    description: 'Labels for a model in a second MLflow instance',
    example: yaml.stringify({
      steps: [
        {
          id: 'labels',
          action: 'ml-platform:deployment:labels',
          name: 'Compute deployment labels',
          input: {
            name: 'churn-scorer',
            model: 'churn',
            version: 12,
            registry: 'mlflow-eu',
          },
        },
      ],
    }),
  },
];
