/**
 * The longest value each request field of the ML Platform API may have.
 * Each is at least what the system it names allows (Kubernetes DNS labels
 * and names, MLflow's names and aliases) and within what the plugin's own
 * database columns hold (255), so that a request the API accepts can always
 * be recorded in the audit trail, and a longer one is a 400 that names the
 * field.
 * @public
 */
export const REQUEST_LIMITS = {
  /** A registered model's name (MLflow stores up to 256). */
  model: 255,
  /** A registry id from the config. */
  registryId: 63,
  /** A cluster name from the `kubernetes` config section. */
  cluster: 253,
  /** A Kubernetes namespace: a DNS-1123 label. */
  namespace: 63,
  /** A model version; it is also a label value on the workloads. */
  version: 63,
  /** A Kubernetes resourceVersion. */
  resourceVersion: 64,
  /** A registry alias (MLflow allows 255). */
  alias: 255,
  /** An owner as the registry records it (a group or user reference). */
  owner: 255,
  /** Free text searched in model names and descriptions. */
  search: 200,
  /** Versions named in one split. */
  splitVersions: 64,
  /** Steps of one gradual rollout. */
  gradualSteps: 100,
} as const;
