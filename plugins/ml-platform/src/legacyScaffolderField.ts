import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { mlflowModelVersionPickerOptions } from './components/MlflowModelVersionPicker';
import { mlPlatformLegacyPlugin } from './legacyPlugin';

/**
 * The `MlflowModelVersionPicker` form field for a legacy app: put it inside
 * `<ScaffolderFieldExtensions>` of the scaffolder's route.
 * @public
 */
export const MlflowModelVersionPickerFieldExtension =
  mlPlatformLegacyPlugin.provide(
    createScaffolderFieldExtension(mlflowModelVersionPickerOptions),
  );
