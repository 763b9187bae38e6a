import { EmptyState } from '@backstage/core-components';
import { Button } from '@backstage/ui';
import { ModelRegistryStatus } from '@mlplatform/plugin-ml-platform-common';

/** Why the table has no rows, and what to do about it. */
export const ModelsEmptyState = ({
  filtered,
  registries,
  onClearFilters,
}: {
  filtered: boolean;
  registries: ModelRegistryStatus[];
  onClearFilters: () => void;
}) => {
  if (filtered) {
    return (
      <EmptyState
        missing="data"
        title="No models match these filters"
        description="Loosen the search or the filters, or clear them to see every model."
        action={
          <Button variant="secondary" onPress={onClearFilters}>
            Clear filters
          </Button>
        }
      />
    );
  }
  if (registries.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No models yet"
        description="No model registry is configured. Add an MLflow instance under mlPlatform in app-config.yaml, and the registered models appear here."
      />
    );
  }
  if (registries.every(r => !r.ok)) {
    return (
      <EmptyState
        missing="data"
        title="No model registry answered"
        description="Every configured registry is unreachable (see above). Check that they run and that the credentials in app-config.yaml are valid; models appear here as soon as one answers."
      />
    );
  }
  return (
    <EmptyState
      missing="data"
      title="No models yet"
      description="The configured registries hold no registered models. Register a model version in MLflow and it appears here."
    />
  );
};
