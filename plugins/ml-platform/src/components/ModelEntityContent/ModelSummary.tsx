import { ReactNode } from 'react';
import { Card, CardBody, Flex, Grid, Text } from '@backstage/ui';
import { ModelSummary as Model } from '@mlplatform/plugin-ml-platform-common';
import { formatDuration } from '../../lib/formatDuration';
import { SafetyBadge } from '../shared';

const Fact = ({ label, children }: { label: string; children: ReactNode }) => (
  <Flex direction="column" gap="0.5">
    <Text variant="body-x-small" color="secondary">
      {label}
    </Text>
    <Text as="div" variant="body-medium">
      {children}
    </Text>
  </Flex>
);

/** The model at a glance: who owns it, which aliases, how safe what serves is, how fast versions reach traffic. */
export const ModelSummary = ({
  model,
  versionCount,
  owner,
}: {
  model: Model;
  versionCount: number;
  /** The entity's owner, when the registry does not name one. */
  owner?: string;
}) => {
  const aliases = Object.entries(model.aliases);
  return (
    <Card>
      <CardBody>
        <Flex direction="column" gap="3">
          <Flex direction="column" gap="1">
            <Text as="h2" variant="title-medium">
              {model.name}
            </Text>
            {model.description && (
              <Text as="p" color="secondary">
                {model.description}
              </Text>
            )}
          </Flex>
          <Grid.Root columns={{ initial: '2', md: '6' }} gap="3">
            <Fact label="Owner">{model.owner ?? owner ?? '—'}</Fact>
            <Fact label="Registry">{model.registryId}</Fact>
            <Fact label="Latest version">
              {model.latestVersion ? `v${model.latestVersion}` : '—'}
              {versionCount > 0 && (
                <Text variant="body-small" color="secondary">
                  {' '}
                  of {versionCount}
                </Text>
              )}
            </Fact>
            <Fact label="Aliases">
              {aliases.length
                ? aliases.map(([alias, v]) => `${alias} → v${v}`).join(', ')
                : 'none'}
            </Fact>
            <Fact label="Serialization of serving versions">
              <SafetyBadge safety={model.safety} reason={model.safetyReason} />
            </Fact>
            <Fact label="Median lead time">
              {model.leadTime
                ? `${formatDuration(model.leadTime.medianSeconds)} over ${
                    model.leadTime.measuredVersions
                  } version${model.leadTime.measuredVersions === 1 ? '' : 's'}`
                : 'no version served yet'}
            </Fact>
          </Grid.Root>
        </Flex>
      </CardBody>
    </Card>
  );
};
