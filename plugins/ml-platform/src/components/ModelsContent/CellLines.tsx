import { Cell, Flex, Text } from '@backstage/ui';

/**
 * A cell of a title and lines under it that wrap instead of being cut off:
 * what these cells say (a duration, who rolled out where) is short, and
 * half of it is no use.
 */
export const CellLines = ({
  title,
  lines = [],
}: {
  title: string;
  lines?: string[];
}) => (
  <Cell>
    <Flex direction="column" gap="0.5" style={{ overflowWrap: 'anywhere' }}>
      <Text as="p" variant="body-medium">
        {title}
      </Text>
      {lines.map(line => (
        <Text key={line} as="p" variant="body-small" color="secondary">
          {line}
        </Text>
      ))}
    </Flex>
  </Cell>
);
