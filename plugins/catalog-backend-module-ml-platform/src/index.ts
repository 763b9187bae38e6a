/**
 * The ml-platform module for the catalog backend.
 *
 * @packageDocumentation
 */

export { catalogModuleMlPlatform as default } from './module';
export { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
