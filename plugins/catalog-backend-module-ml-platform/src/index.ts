/**
 * The ml-platform module for the catalog backend.
 *
 * @packageDocumentation
 */

export { catalogModuleMlPlatform as default } from './module';
export { FileLocationGuardProcessor } from './processor/FileLocationGuardProcessor';
export { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
export {
  MlModelEntityProvider,
  type MlModelEntityProviderOptions,
} from './provider/MlModelEntityProvider';
