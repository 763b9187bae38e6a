import type { SerializationSafety } from './types';

/**
 * The `type` of the ML Platform's documents in the portal's search, for
 * search filters and result list items.
 * @public
 */
export const ML_MODEL_SEARCH_TYPE = 'ml-model';

/**
 * A registered model, or one of its versions, as the portal's search
 * indexes it. Every document has every field (empty when it does not
 * apply), since a search engine may take its fields from the first one.
 * @public
 */
export interface MlModelSearchDocument {
  /** The model's name; a version's is `<model> v<version>`. */
  title: string;
  text: string;
  /** The model tab of the model's catalog entity, else the Models page. */
  location: string;
  kind: 'model' | 'version';
  registryId: string;
  model: string;
  /** The version; empty for a model. */
  version: string;
  /** The model's description; empty for a version. */
  description: string;
  /** A model's aliases as `<alias> → v<version>`; a version's as `<alias>`. */
  aliases: string[];
  /** The model's owner as the Models page shows it; empty when unknown. */
  owner: string;
  /** A version's verdict; a model's is that of the versions that serve traffic. */
  safety: SerializationSafety;
  /** Why, or why there is no verdict; empty when nothing says. */
  safetyReason: string;
}
