import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import { Flex, Text } from '@backstage/ui';
import { GradualRollout } from '@mlplatform/plugin-ml-platform-common';
import { errorMessage } from '../errorMessage';
import { formatDuration } from '../shared';
import { useGradualRollout } from './useGradualRollout';

const time = (iso?: string) =>
  iso ? new Date(iso).toLocaleTimeString() : undefined;

const stepStatus = (rollout: GradualRollout, index: number) => {
  if (index <= rollout.currentStep) {
    return 'done';
  }
  if (index === rollout.currentStep + 1 && rollout.state === 'running') {
    return rollout.nextStepAt ? `next at ${time(rollout.nextStepAt)}` : 'next';
  }
  return index === rollout.currentStep + 1 ? rollout.state : 'waiting';
};

/** A gradual rollout's steps, done and to come, with Pause, Resume and Abort. */
export const GradualRolloutProgress = ({
  initial,
  onStepApplied,
}: {
  initial: GradualRollout;
  onStepApplied?: () => void;
}) => {
  const { rollout, error, busy, act } = useGradualRollout(
    initial,
    onStepApplied,
  );
  const done = rollout.currentStep + 1;
  const active = rollout.state === 'running' || rollout.state === 'paused';
  return (
    <section aria-label={`Gradual rollout of v${rollout.targetVersion}`}>
      <Flex direction="column" gap="2">
        <Text variant="body-small" weight="bold">
          {`Gradual rollout of v${rollout.targetVersion}: ${rollout.state}, step ${done} of ${rollout.steps.length}`}
        </Text>
        <LinearProgress
          variant="determinate"
          value={(done / rollout.steps.length) * 100}
          aria-label="Steps done"
        />
        <ol aria-label="Steps" style={{ margin: 0, paddingLeft: 20 }}>
          {rollout.steps.map((step, i) => (
            <li key={i}>
              <Text variant="body-small">
                {`${step.percent}%${
                  step.waitSeconds
                    ? `, then wait ${formatDuration(step.waitSeconds)}`
                    : ''
                }: ${stepStatus(rollout, i)}`}
              </Text>
            </li>
          ))}
        </ol>
        {rollout.error && (
          <Text variant="body-small" color="danger">
            {rollout.error}
          </Text>
        )}
        {error && (
          <Text variant="body-small" color="danger" role="alert">
            {errorMessage(error)}
          </Text>
        )}
        {active && (
          <Flex gap="2">
            {rollout.state === 'running' ? (
              <Button
                size="small"
                variant="outlined"
                disabled={busy}
                onClick={() => act('pause')}
              >
                Pause
              </Button>
            ) : (
              <Button
                size="small"
                variant="outlined"
                disabled={busy}
                onClick={() => act('resume')}
              >
                Resume
              </Button>
            )}
            <Button
              size="small"
              variant="outlined"
              color="secondary"
              disabled={busy}
              onClick={() => act('abort')}
            >
              Abort
            </Button>
          </Flex>
        )}
      </Flex>
    </section>
  );
};
