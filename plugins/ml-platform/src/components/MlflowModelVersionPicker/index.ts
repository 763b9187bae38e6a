export {
  mlflowModelVersionPickerField,
  mlflowModelVersionPickerOptions,
} from './formField';
export { MlflowModelVersionPickerSchema } from './schema';
export type { ModelVersionChoice } from './schema';
