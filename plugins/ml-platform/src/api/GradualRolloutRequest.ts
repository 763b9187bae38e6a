/**
 * A gradual rollout to start: the target version gets each step's share in
 * turn, waiting between steps.
 * @public
 */
export interface GradualRolloutRequest {
  model: string;
  registryId?: string;
  cluster: string;
  namespace: string;
  target: { version: string };
  steps: Array<{ percent: number; waitSeconds: number }>;
}
