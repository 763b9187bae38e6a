import Button from '@material-ui/core/Button';
import { Flex } from '@backstage/ui';
import { RolloutPreset } from './RolloutDraft';

const presets: Array<{ preset: RolloutPreset; label: string }> = [
  { preset: 'canary', label: 'Canary' },
  { preset: 'ab', label: 'A/B 50/50' },
  { preset: 'promote', label: 'Promote' },
  { preset: 'gradual', label: 'Gradual' },
  { preset: 'rollback', label: 'Roll back' },
];

/** The usual changes in one click; each fills in the split and the preview. */
export const PresetButtons = ({
  selected,
  onSelect,
  singleVersion,
}: {
  selected: RolloutPreset;
  onSelect: (preset: RolloutPreset) => void;
  /** With one version on the route, only a rollback makes sense. */
  singleVersion: boolean;
}) => (
  <Flex gap="2" role="group" aria-label="Presets">
    {presets.map(({ preset, label }) => (
      <Button
        key={preset}
        size="small"
        variant={selected === preset ? 'contained' : 'outlined'}
        color="primary"
        aria-pressed={selected === preset}
        disabled={
          singleVersion && preset !== 'rollback' && preset !== 'promote'
        }
        onClick={() => onSelect(preset)}
      >
        {label}
      </Button>
    ))}
  </Flex>
);
