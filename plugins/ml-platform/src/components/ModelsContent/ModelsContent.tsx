import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { mlPlatformApiRef } from '../../api';
import { ModelsTable } from '../ModelsTable';
import { RegistryWarnings } from '../RegistryWarnings';

/** Every registered model across the configured registries. */
export const ModelsContent = () => {
  const api = useApi(mlPlatformApiRef);
  const { value, loading, error } = useAsync(() => api.listModels(), [api]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  const { items = [], registries = [] } = value ?? {};
  return (
    <Container>
      <RegistryWarnings registries={registries} />
      {items.length === 0 && registries.length === 0 && (
        <EmptyState
          missing="data"
          title="No models yet"
          description="No model registry is configured. Add an MLflow instance under mlPlatform in app-config.yaml, and the registered models appear here."
        />
      )}
      {items.length === 0 && registries.some(r => r.ok) && (
        <EmptyState
          missing="data"
          title="No models yet"
          description="The configured registries hold no registered models. Register a model version in MLflow and it appears here."
        />
      )}
      {items.length > 0 && <ModelsTable models={items} />}
    </Container>
  );
};
