import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import { Arrow } from './Arrow';
import { ChainStep } from './ChainStep';
import { EntityLink } from './EntityLink';
import { useInferenceChain } from './useInferenceChain';

/**
 * The path of a request: pre-processing → the model → post-processing, from
 * the entity's catalog relations, each step linking to its own page.
 */
export const InferenceChain = () => {
  const { entity } = useEntity();
  const { pre, post, apis, related, error } = useInferenceChain(entity);
  const self = getCompoundEntityRef(entity);
  return (
    <Flex direction="column" gap="2">
      <ol
        aria-label="Inference chain"
        style={{
          display: 'flex',
          flexWrap: 'wrap',
          gap: 'var(--bui-space-2, 8px)',
          margin: 0,
          padding: 0,
        }}
      >
        {pre.length > 0 && (
          <>
            <ChainStep stage="pre-processing" refs={pre} related={related} />
            <Arrow />
          </>
        )}
        <ChainStep
          stage="model service"
          refs={[self]}
          related={new Map([[stringifyEntityRef(entity), entity]])}
          current
        >
          {apis.map(api => (
            <Text key={api.name} variant="body-x-small" color="secondary">
              serves <EntityLink entityRef={api} title={api.name} />
            </Text>
          ))}
        </ChainStep>
        {post.length > 0 && (
          <>
            <Arrow />
            <ChainStep stage="post-processing" refs={post} related={related} />
          </>
        )}
      </ol>
      {pre.length === 0 && post.length === 0 && (
        <Text variant="body-small" color="secondary">
          No pre- or post-processing service is related to this model in the
          catalog. List the services that prepare its input under spec.dependsOn
          of this entity, and have the services that use its output list this
          entity under their own spec.dependsOn.
        </Text>
      )}
      {error && (
        <Text variant="body-small" color="warning">
          ⚠ The catalog could not be asked for the related services, so they
          show by name only: {error.message}
        </Text>
      )}
    </Flex>
  );
};
