import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Roll fraud-detector in ml-prod back to its split before the latest rollout',
    example: yaml.stringify({
      steps: [
        {
          id: 'rollback',
          action: 'ml-platform:rollout:rollback',
          name: 'Roll back fraud-detector',
          input: {
            model: 'fraud-detector',
            cluster: 'local',
            namespace: 'ml-prod',
          },
        },
      ],
    }),
  },
  {
    description: 'Roll back a model of a second registry',
    example: yaml.stringify({
      steps: [
        {
          id: 'rollback',
          action: 'ml-platform:rollout:rollback',
          name: 'Roll back churn-predictor',
          input: {
            model: 'churn-predictor',
            registryId: 'mlflow-eu',
            cluster: 'local',
            namespace: 'ml-staging',
          },
        },
      ],
    }),
  },
];
