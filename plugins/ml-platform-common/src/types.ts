/**
 * How loading a model version's artifact behaves: `unsafe` when loading runs
 * pickle (arbitrary code), `safe` for formats that never unpickle, `unknown`
 * when the flavor does not tell.
 * @public
 */
export type SerializationSafety = 'safe' | 'unsafe' | 'unknown';

/**
 * A registered model as the portal shows it, from one model registry.
 * @public
 */
export interface RegisteredModel {
  /** Id of the configured registry instance that holds the model. */
  registryId: string;
  name: string;
  description?: string;
  /** Alias name to version, e.g. `{ champion: '7' }`. */
  aliases: Record<string, string>;
  tags: Record<string, string>;
  latestVersion?: string;
  createdAt?: string;
  updatedAt?: string;
}

/**
 * State of one configured model registry, as reported next to its models so
 * the UI can say which source is missing instead of showing fewer rows.
 * @public
 */
export interface ModelRegistryStatus {
  id: string;
  type: string;
  ok: boolean;
  error?: string;
}

/**
 * Response of `GET /models`.
 * @public
 */
export interface ModelListResponse {
  items: RegisteredModel[];
  registries: ModelRegistryStatus[];
}

/**
 * Response of `GET /health`.
 * @public
 */
export interface HealthResponse {
  status: 'ok';
}
