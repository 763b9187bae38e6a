/**
 * The ml-platform module for the catalog backend.
 *
 * @packageDocumentation
 */

export { catalogModuleMlPlatform as default } from './module';
export { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
export {
  MlModelEntityProvider,
  ML_MODEL_RESOURCE_TYPE,
  type MlModelEntityProviderOptions,
} from './provider/MlModelEntityProvider';
