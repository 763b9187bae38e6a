import { makeFieldSchema } from '@backstage/plugin-scaffolder-react';

/**
 * What the field writes into the template's parameters, and the
 * `ui:options` a template may set on it.
 * @public
 */
export const MlflowModelVersionPickerSchema = makeFieldSchema({
  output: z =>
    z.object({
      registry: z
        .string()
        .optional()
        .describe('Id of the model registry that holds the model'),
      model: z.string().describe('Registered model name'),
      version: z.string().describe('Model version'),
    }),
  uiOptions: z =>
    z.object({
      allowedModels: z
        .array(z.string())
        .optional()
        .describe('Only these registered models can be chosen'),
      formats: z
        .array(z.string())
        .optional()
        .describe(
          "Serialization formats the template's service loads, e.g. [onnx, skops]; versions in another are refused",
        ),
      clusterField: z
        .string()
        .optional()
        .describe(
          'The form field naming the target cluster, for the serving gate; default cluster',
        ),
      namespaceField: z
        .string()
        .optional()
        .describe(
          'The form field naming the target namespace, for the serving gate; default namespace',
        ),
    }),
});

/**
 * The chosen model version, e.g. `{ model: 'fraud-detector', version: '6' }`.
 * @public
 */
export type ModelVersionChoice = typeof MlflowModelVersionPickerSchema.TOutput;

export type MlflowModelVersionPickerProps =
  typeof MlflowModelVersionPickerSchema.TProps;

export type MlflowModelVersionPickerUiOptions = NonNullable<
  MlflowModelVersionPickerProps['uiSchema']['ui:options']
>;
