import { describeProgress } from './describeProgress';

describe('describeProgress', () => {
  it('reads a paused Argo canary the way kubectl argo rollouts shows it', () => {
    expect(
      describeProgress({
        phase: 'Paused',
        currentStepIndex: 1,
        totalSteps: 4,
        paused: true,
        message: 'CanaryPauseStep',
      }),
    ).toBe('Paused at step 1 of 4: CanaryPauseStep');
  });

  it('names the phase of a rollout that is not paused', () => {
    expect(describeProgress({ phase: 'Progressing' })).toBe('Progressing');
    expect(describeProgress({ phase: 'Degraded', paused: true })).toBe(
      'Degraded, paused',
    );
  });
});
