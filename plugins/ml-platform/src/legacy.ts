/**
 * The ML Platform frontend plugin for apps on the legacy frontend system.
 *
 * @packageDocumentation
 */

export {
  mlPlatformLegacyPlugin,
  MlPlatformModelsPage,
  EntityMlModelContent,
  MlPlatformToolsPage,
  EntityMlToolCard,
} from './legacyPlugin';
export { MlflowModelVersionPickerFieldExtension } from './legacyScaffolderField';
export {
  MlflowModelVersionPickerSchema,
  type ModelVersionChoice,
} from './components/MlflowModelVersionPicker';
export * from './api';
export { isMlModelEntity, isMlToolEntity } from './filters';
