import { SerializationSafety } from '@mlplatform/plugin-ml-platform-common';

/**
 * Filters and page of `GET /models`; the backend filters and pages, so the
 * Models page stays fast with thousands of models.
 * @public
 */
export interface ModelListQuery {
  /** Part of a model's name or description, any letter case. */
  search?: string;
  owner?: string;
  /** Models that have this alias, e.g. `champion`. */
  alias?: string;
  /** Models deployed in this cluster. */
  cluster?: string;
  safety?: SerializationSafety;
  /** true: models serving traffic somewhere; false: models serving none. */
  deployed?: boolean;
  offset?: number;
  /** At most 500. */
  limit?: number;
}
