import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Flex, Text } from '@backstage/ui';
import { EntityLink } from './EntityLink';

/** One column of the chain: its role and the services (or the model) in it. */
export const ChainStep = ({
  stage,
  refs,
  related,
  current,
  children,
}: {
  stage: string;
  refs: CompoundEntityRef[];
  related: Map<string, Entity>;
  current?: boolean;
  children?: React.ReactNode;
}) => (
  <li
    style={{
      listStyle: 'none',
      minWidth: 160,
      padding: 'var(--bui-space-3, 12px)',
      border: `${current ? 2 : 1}px solid ${
        current ? 'var(--bui-fg-primary, #333)' : 'var(--bui-border-2, #999)'
      }`,
      borderRadius: 'var(--bui-radius-3, 8px)',
      background: 'var(--bui-bg-neutral-1, transparent)',
    }}
  >
    <Flex direction="column" gap="1">
      <Text variant="body-x-small" color="secondary">
        {stage}
      </Text>
      {refs.map(ref => {
        const entity = related.get(stringifyEntityRef(ref));
        return (
          <EntityLink
            key={stringifyEntityRef(ref)}
            entityRef={ref}
            title={entity?.metadata.title ?? ref.name}
          />
        );
      })}
      {children}
    </Flex>
  </li>
);
