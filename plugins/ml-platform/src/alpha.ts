/**
 * The ML Platform's scaffolder form fields for apps on the new frontend
 * system, on their own entry point because the scaffolder's form field
 * extensions are still alpha. Apps that discover their features
 * (`app.packages: all`) get this module's default export automatically.
 *
 * @packageDocumentation
 */

export {
  mlPlatformScaffolderModule as default,
  mlflowModelVersionPickerFormField,
} from './scaffolderModule';
export {
  MlflowModelVersionPickerSchema,
  type ModelVersionChoice,
} from './components/MlflowModelVersionPicker';
