export { MlflowModelVersionPicker } from './MlflowModelVersionPicker';
export {
  MLFLOW_MODEL_VERSION_PICKER,
  mlflowModelVersionPickerField,
  mlflowModelVersionPickerOptions,
} from './formField';
export { MlflowModelVersionPickerSchema } from './schema';
export type { ModelVersionChoice } from './schema';
export { validateModelVersion } from './validateModelVersion';
