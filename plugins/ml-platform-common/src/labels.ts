/**
 * The labels and annotations that tie Kubernetes objects and catalog entities
 * to a registered model. Scaffolder templates write them; the backend finds
 * deployments by them.
 * @public
 */
export const ML_PLATFORM_LABELS = {
  /** Registered model name, on a model-serving workload. */
  model: 'ml-platform.io/model',
  /** Registered model version, on a model-serving workload. */
  modelVersion: 'ml-platform.io/model-version',
  /** Which registry instance the model lives in (a configured registry id). */
  registry: 'ml-platform.io/registry',
  /** Marks a Service (or route) of an ML tool; the value is the tool type, e.g. `mlflow`. */
  tool: 'ml-platform.io/tool',
  /**
   * The catalog entity that owns an object the templates applied: the label
   * holds the owner's name (for selectors), an annotation of the same key its
   * full entity reference, e.g. `group:default/fraud-ml`.
   */
  owner: 'ml-platform.io/owner',
} as const;

/**
 * Catalog annotations understood by the ML Platform plugins.
 * @public
 */
export const ML_PLATFORM_ANNOTATIONS = {
  /** `<registry id>/<registered model name>` or just the model name for the default registry. */
  registeredModel: 'ml-platform.io/registered-model',
  /**
   * On an `ml-model` Resource: the model's MLflow `owner` tag, shown for
   * people. Not the entity's owner, since anyone who may write the model in
   * MLflow may set the tag.
   */
  ownerTag: 'ml-platform.io/owner-tag',
} as const;

/**
 * Catalog `spec.type` values of the entities the plugins show.
 * @public
 */
export const ML_PLATFORM_ENTITY_TYPES = {
  model: 'ml-model',
  modelService: 'model-service',
  processingService: 'processing-service',
} as const;

// Kubernetes label values: at most 63 characters, alphanumerics with -_. inside.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Whether a string can be used as a Kubernetes label value.
 * @public
 */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Whether a string is a valid DNS-1123 label, the rule for Kubernetes object
 * names such as Services and Deployments.
 * @public
 */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS_1123_LABEL.test(value);
}

/**
 * Whether a string is a valid DNS-1035 label (a DNS-1123 label that starts
 * with a letter), the stricter rule for Service names.
 * @public
 */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && DNS_1035_LABEL.test(value);
}

/**
 * A registered model named by the `ml-platform.io/registered-model`
 * annotation.
 * @public
 */
export interface RegisteredModelRef {
  /** Configured registry id; undefined means the default registry. */
  registryId?: string;
  name: string;
}

/**
 * Parses `<registry id>/<model name>` or `<model name>`. MLflow model names
 * may contain almost anything but a slash, which separates the registry id.
 * @public
 */
export function parseRegisteredModelRef(value: string): RegisteredModelRef {
  const parts = value.trim().split('/');
  if (parts.length > 2 || parts.some(p => p.trim() === '')) {
    throw new Error(
      `Invalid ${ML_PLATFORM_ANNOTATIONS.registeredModel} annotation '${value}': expected '<model name>' or '<registry id>/<model name>'`,
    );
  }
  return parts.length === 2
    ? { registryId: parts[0].trim(), name: parts[1].trim() }
    : { name: parts[0].trim() };
}
