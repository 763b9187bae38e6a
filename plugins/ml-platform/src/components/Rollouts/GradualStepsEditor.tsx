import { useId } from 'react';
import TextField from '@material-ui/core/TextField';
import { Flex } from '@backstage/ui';
import { GradualStep } from './RolloutDraft';

/** The schedule of a gradual rollout: each step's share and how long to wait after it. */
export const GradualStepsEditor = ({
  steps,
  onChange,
}: {
  steps: GradualStep[];
  onChange: (steps: GradualStep[]) => void;
}) => {
  const id = useId();
  const update = (index: number, change: Partial<GradualStep>) =>
    onChange(steps.map((s, i) => (i === index ? { ...s, ...change } : s)));
  return (
    <Flex direction="column" gap="2">
      {steps.map((step, i) => (
        <Flex key={i} gap="2">
          <TextField
            id={`${id}-percent-${i}`}
            type="number"
            label={`Step ${i + 1} percent`}
            value={step.percent}
            onChange={e => update(i, { percent: Number(e.target.value) })}
            inputProps={{ min: 1, max: 100 }}
            size="small"
            variant="outlined"
          />
          <TextField
            id={`${id}-wait-${i}`}
            type="number"
            label={`Step ${i + 1} wait (seconds)`}
            value={step.waitSeconds}
            onChange={e => update(i, { waitSeconds: Number(e.target.value) })}
            inputProps={{ min: 0 }}
            size="small"
            variant="outlined"
          />
        </Flex>
      ))}
    </Flex>
  );
};
