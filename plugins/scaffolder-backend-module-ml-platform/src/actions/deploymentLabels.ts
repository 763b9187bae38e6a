import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ML_PLATFORM_LABELS,
  isDns1123Label,
  isValidLabelValue,
} from '@mlplatform/plugin-ml-platform-common';
import { examples } from './deploymentLabels.examples';

/**
 * Creates the `ml-platform:deployment:labels` action: validates a model
 * service's name and model reference and returns the Kubernetes labels and
 * object name the ML Platform backend discovers deployments by.
 * @public
 */
export function createDeploymentLabelsAction() {
  return createTemplateAction({
    id: 'ml-platform:deployment:labels',
    description:
      'Validates a model service name and MLflow model reference, and returns the Kubernetes labels and per-version workload name that the ML Platform discovers.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe('Service name, a DNS-1123 label such as fraud-scorer'),
        model: z => z.string().describe('Registered model name in MLflow'),
        version: z =>
          z
            .union([z.string(), z.number()])
            .describe('Registered model version'),
        registry: z =>
          z
            .string()
            .optional()
            .describe('Configured model registry id, if not the default'),
      },
      output: {
        labels: z =>
          z
            .record(z.string(), z.string())
            .describe('Labels to put on the workload and its pod template'),
        workloadName: z =>
          z
            .string()
            .describe('Name of the per-version Deployment, <name>-v<version>'),
      },
    },
    async handler(ctx) {
      const { name, model, registry } = ctx.input;
      const version = String(ctx.input.version);

      if (!isDns1123Label(name)) {
        throw new InputError(
          `name '${name}' is not a DNS-1123 label: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
        );
      }
      if (!/^[1-9][0-9]*$/.test(version)) {
        throw new InputError(
          `version '${version}' is not an MLflow model version (a positive integer)`,
        );
      }
      const workloadName = `${name}-v${version}`;
      if (!isDns1123Label(workloadName)) {
        throw new InputError(
          `workload name '${workloadName}' is longer than 63 characters: shorten name`,
        );
      }
      for (const [field, value] of Object.entries({ model, registry })) {
        if (value !== undefined && !isValidLabelValue(value)) {
          throw new InputError(
            `${field} '${value}' cannot be a Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
          );
        }
      }

      const labels: Record<string, string> = {
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/component': 'model-service',
        [ML_PLATFORM_LABELS.model]: model,
        [ML_PLATFORM_LABELS.modelVersion]: version,
      };
      if (registry) {
        labels[ML_PLATFORM_LABELS.registry] = registry;
      }

      ctx.logger.info(
        `Workload ${workloadName} gets labels ${JSON.stringify(labels)}`,
      );
      ctx.output('labels', labels);
      ctx.output('workloadName', workloadName);
    },
  });
}
