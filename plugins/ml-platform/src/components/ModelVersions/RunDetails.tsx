import {
  Accordion,
  AccordionPanel,
  AccordionTrigger,
  Flex,
  Text,
} from '@backstage/ui';
import { ModelRun } from '@mlplatform/plugin-ml-platform-common';

const formatMetric = (value: number) =>
  Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));

/** A run's metrics in full, and its parameters on demand. */
export const RunDetails = ({ run }: { run?: ModelRun }) => {
  if (!run) {
    return (
      <Text variant="body-small" color="secondary">
        no run recorded
      </Text>
    );
  }
  const metrics = Object.entries(run.metrics);
  const params = Object.entries(run.params);
  return (
    <Flex direction="column" gap="1">
      {metrics.length === 0 && (
        <Text variant="body-small" color="secondary">
          no metrics
        </Text>
      )}
      {metrics.map(([key, value]) => (
        <Text key={key} variant="body-small">
          {key} <b>{formatMetric(value)}</b>
        </Text>
      ))}
      {params.length > 0 && (
        <Accordion>
          <AccordionTrigger level={4}>
            <Text variant="body-small" weight="bold">
              Parameters ({params.length})
            </Text>
          </AccordionTrigger>
          <AccordionPanel>
            <div>
              {params.map(([key, value]) => (
                <Text key={key} as="div" variant="body-small">
                  <span style={{ color: 'var(--bui-fg-secondary)' }}>
                    {key}
                  </span>{' '}
                  {value}
                </Text>
              ))}
            </div>
          </AccordionPanel>
        </Accordion>
      )}
    </Flex>
  );
};
