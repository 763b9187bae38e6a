/**
 * The ml-platform module for the search backend: registered models and
 * their versions in the portal's search.
 *
 * @packageDocumentation
 */

export { searchModuleMlPlatformCollator as default } from './module';
export {
  MlModelCollatorFactory,
  type MlModelCollatorFactoryOptions,
} from './collator/MlModelCollatorFactory';
