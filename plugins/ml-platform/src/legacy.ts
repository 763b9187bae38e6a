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
export * from './api';
export { isMlModelEntity, isMlToolEntity } from './filters';
