import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The `MlflowModelVersionPicker` form field, loaded when a template's form
 * is first shown.
 * @alpha
 */
export const mlflowModelVersionPickerFormField = FormFieldBlueprint.make({
  name: 'mlflow-model-version-picker',
  params: {
    field: () =>
      import('./components/MlflowModelVersionPicker/formField').then(
        m => m.mlflowModelVersionPickerField,
      ),
  },
});

/**
 * Adds the ML Platform's form fields to the scaffolder plugin.
 * @alpha
 */
export const mlPlatformScaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [mlflowModelVersionPickerFormField],
});
