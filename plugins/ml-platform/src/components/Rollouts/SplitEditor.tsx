import { useId } from 'react';
import TextField from '@material-ui/core/TextField';
import { Flex, Text } from '@backstage/ui';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { Percents } from './splitMath';

/** One number input per version on the route; a change keeps the sum at 100. */
export const SplitEditor = ({
  after,
  versions,
  onChange,
}: {
  after: Percents;
  versions: ModelVersion[];
  onChange: (version: string, percent: number) => void;
}) => {
  const id = useId();
  return (
    <Flex direction="column" gap="2">
      {Object.keys(after).map(version => {
        const verdict = versions.find(v => v.version === version)?.safety;
        return (
          <Flex key={version} gap="3" align="center">
            <TextField
              id={`${id}-v${version}`}
              type="number"
              label={`Percent for v${version}`}
              value={after[version]}
              onChange={e => onChange(version, Number(e.target.value))}
              inputProps={{ min: 0, max: 100, step: 1 }}
              size="small"
              variant="outlined"
            />
            {verdict?.safety === 'unsafe' && (
              <Text variant="body-small" color="danger">
                Unsafe: {verdict.reason}
              </Text>
            )}
          </Flex>
        );
      })}
    </Flex>
  );
};
