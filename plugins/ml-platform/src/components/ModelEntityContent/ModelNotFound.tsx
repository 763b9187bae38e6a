import { EmptyState } from '@backstage/core-components';
import { ML_PLATFORM_ANNOTATIONS } from '@mlplatform/plugin-ml-platform-common';

/** The entity names a model no configured registry has. */
export const ModelNotFound = ({
  name,
  registryId,
}: {
  name: string;
  registryId?: string;
}) => (
  <EmptyState
    missing="info"
    title={`Model ${name} not found`}
    description={`No configured model registry${
      registryId ? ` with id ${registryId}` : ''
    } has a registered model named ${name}. Check the ${
      ML_PLATFORM_ANNOTATIONS.registeredModel
    } annotation of this entity, and that the model registry is configured under mlPlatform in app-config.yaml.`}
  />
);
