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
  RegisteredModel,
  RegisteredModelRef,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import useAsync from 'react-use/esm/useAsync';
import { mlPlatformApiRef } from '../../api';
import { RegistryWarnings } from '../RegistryWarnings';

const matches = (ref: RegisteredModelRef) => (m: RegisteredModel) =>
  m.name === ref.name && (!ref.registryId || m.registryId === ref.registryId);

/** The registered model behind a catalog entity. */
export const ModelEntityContent = () => {
  const { entity } = useEntity();
  const api = useApi(mlPlatformApiRef);
  const annotation =
    entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel] ??
    '';

  const { value, loading, error } = useAsync(async () => {
    const ref = parseRegisteredModelRef(annotation);
    const { items, registries } = await api.listModels();
    return { ref, models: items.filter(matches(ref)), registries };
  }, [api, annotation]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  const { ref, models, registries } = value!;
  if (registries.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No model registry configured"
        description={`This entity names the registered model ${ref.name}, but no model registry is configured. Add an MLflow instance under mlPlatform in app-config.yaml.`}
      />
    );
  }
  if (models.length === 0) {
    return (
      <>
        <RegistryWarnings registries={registries} />
        <EmptyState
          missing="info"
          title={`Model ${ref.name} not found`}
          description={`No configured model registry${
            ref.registryId ? ` with id ${ref.registryId}` : ''
          } has a registered model named ${ref.name}. Check the ${
            ML_PLATFORM_ANNOTATIONS.registeredModel
          } annotation of this entity.`}
        />
      </>
    );
  }
  return (
    <>
      <RegistryWarnings registries={registries} />
      {models.map(m => (
        <InfoCard key={`${m.registryId}/${m.name}`} title={m.name}>
          <StructuredMetadataTable
            metadata={{
              registry: m.registryId,
              description: m.description ?? '—',
              'latest version': m.latestVersion ? `v${m.latestVersion}` : '—',
              aliases: Object.entries(m.aliases).map(
                ([alias, version]) => `${alias} → v${version}`,
              ),
            }}
          />
        </InfoCard>
      ))}
    </>
  );
};
