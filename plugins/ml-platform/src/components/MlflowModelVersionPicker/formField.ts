import { FieldExtensionOptions } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { MlflowModelVersionPicker } from './MlflowModelVersionPicker';
import { MlflowModelVersionPickerSchema } from './schema';
import { validateModelVersion } from './validateModelVersion';

/** The name templates use: `ui:field: MlflowModelVersionPicker`. */
const MLFLOW_MODEL_VERSION_PICKER = 'MlflowModelVersionPicker';

/** One definition of the field, for the legacy and the new scaffolder. */
export const mlflowModelVersionPickerOptions = {
  name: MLFLOW_MODEL_VERSION_PICKER,
  component: MlflowModelVersionPicker,
  validation: validateModelVersion,
  schema: MlflowModelVersionPickerSchema.schema,
} satisfies FieldExtensionOptions<any, any>;

/** The field for the new frontend system's scaffolder. */
export const mlflowModelVersionPickerField = createFormField({
  ...mlflowModelVersionPickerOptions,
  schema: MlflowModelVersionPickerSchema,
});
