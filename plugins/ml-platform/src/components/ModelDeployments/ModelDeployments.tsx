import { ReactNode } from 'react';
import { Flex, Text } from '@backstage/ui';
import {
  ClusterStatus,
  ModelDeployment,
} from '@mlplatform/plugin-ml-platform-common';
import { ClusterWarnings } from '../ClusterWarnings';
import { DeploymentCard } from './DeploymentCard';
import { NoDeployments } from './NoDeployments';
import { useKubernetesTabLink } from './useKubernetesTabLink';

/** Every cluster/namespace the model runs in, with a warning for each cluster that did not answer. */
export const ModelDeployments = ({
  model,
  deployments,
  clusters,
  renderActions,
}: {
  model: string;
  deployments: ModelDeployment[];
  clusters: ClusterStatus[];
  renderActions?: (deployment: ModelDeployment) => ReactNode;
}) => {
  const kubernetesLink = useKubernetesTabLink();
  return (
    <Flex direction="column" gap="3">
      <ClusterWarnings clusters={clusters} />
      {deployments.length === 0 ? (
        <NoDeployments model={model} clusters={clusters} />
      ) : (
        deployments.map(d => (
          <DeploymentCard
            key={`${d.cluster}/${d.namespace}/${d.router?.name ?? ''}`}
            deployment={d}
            kubernetesLink={kubernetesLink}
            actions={renderActions?.(d)}
          />
        ))
      )}
      {deployments.length > 0 && !kubernetesLink && (
        <Text variant="body-small" color="secondary">
          To see the pods, errors and logs of these workloads here, add the
          backstage.io/kubernetes-id annotation to this entity and the matching
          label to the workloads.
        </Text>
      )}
    </Flex>
  );
};
