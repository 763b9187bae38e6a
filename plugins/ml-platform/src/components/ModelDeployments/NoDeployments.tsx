import { Alert } from '@backstage/ui';
import {
  ClusterStatus,
  ML_PLATFORM_LABELS,
} from '@mlplatform/plugin-ml-platform-common';

/** Why no deployment shows, and what makes one appear. */
export const NoDeployments = ({
  model,
  clusters,
}: {
  model: string;
  clusters: ClusterStatus[];
}) => {
  if (clusters.length === 0) {
    return (
      <Alert
        status="info"
        icon
        title="No Kubernetes cluster is configured"
        description="Deployments are read from the clusters under kubernetes.clusterLocatorMethods in app-config.yaml; add the cluster the model is served in."
      />
    );
  }
  if (clusters.every(c => !c.ok)) {
    return (
      <Alert
        status="danger"
        icon
        title="No cluster could be reached"
        description="Where this model runs is unknown until a cluster answers; see the warning above."
      />
    );
  }
  return (
    <Alert
      status="info"
      icon
      title={`No version of ${model} is deployed`}
      description={`A version shows here once a workload in one of the ${clusters.length} configured clusters carries the labels ${ML_PLATFORM_LABELS.model}=${model} and ${ML_PLATFORM_LABELS.modelVersion}=<version>. The model service template sets them; traffic between versions is read from the HTTPRoute, Argo Rollout or KServe InferenceService in front of them.`}
    />
  );
};
