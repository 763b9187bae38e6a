import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import useAsync from 'react-use/esm/useAsync';
import { mlPlatformApiRef } from '../../api';
import { RegistryWarnings } from '../RegistryWarnings';

/** The registered model behind a catalog entity. */
export const ModelEntityContent = () => {
  const { entity } = useEntity();
  const api = useApi(mlPlatformApiRef);
  const annotation =
    entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel] ??
    '';

  const { value, loading, error } = useAsync(async () => {
    const ref = parseRegisteredModelRef(annotation);
    return { ref, details: await api.getModel(ref.name, ref.registryId) };
  }, [api, annotation]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  const { ref, details } = value!;
  if (!details) {
    return (
      <EmptyState
        missing="info"
        title={`Model ${ref.name} not found`}
        description={`No configured model registry${
          ref.registryId ? ` with id ${ref.registryId}` : ''
        } has a registered model named ${ref.name}. Check the ${
          ML_PLATFORM_ANNOTATIONS.registeredModel
        } annotation of this entity, and that the model registry is configured under mlPlatform in app-config.yaml.`}
      />
    );
  }
  const { model, versions, registries } = details;
  return (
    <>
      <RegistryWarnings registries={registries} />
      <InfoCard title={model.name}>
        <StructuredMetadataTable
          metadata={{
            registry: model.registryId,
            owner: model.owner ?? '—',
            description: model.description ?? '—',
            'latest version': model.latestVersion
              ? `v${model.latestVersion}`
              : '—',
            aliases: Object.entries(model.aliases).map(
              ([alias, version]) => `${alias} → v${version}`,
            ),
            versions: versions.length,
          }}
        />
      </InfoCard>
    </>
  );
};
