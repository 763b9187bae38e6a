import { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';

/**
 * "Paused at step 1 of 4: CanaryPauseStep". Steps are counted the way
 * `kubectl argo rollouts get` shows them, so both read the same.
 */
export function describeProgress(
  progress: NonNullable<ModelDeployment['progress']>,
): string {
  const { phase, currentStepIndex, totalSteps, paused, message } = progress;
  const parts = [paused ? 'Paused' : phase ?? 'In progress'];
  if (paused && phase && phase !== 'Paused') {
    parts[0] = `${phase}, paused`;
  }
  if (currentStepIndex !== undefined && totalSteps) {
    parts.push(`at step ${currentStepIndex} of ${totalSteps}`);
  }
  return `${parts.join(' ')}${message ? `: ${message}` : ''}`;
}
