import { EmptyState, Progress } from '@backstage/core-components';
import { Container, Flex } from '@backstage/ui';
import { ClusterWarnings } from '../ClusterWarnings';
import { LoadError } from '../LoadError';
import { ToolsTable } from './ToolsTable';
import { useTools } from './useTools';

/** Every MLflow, ZenML and lakeFS dashboard of the platform, with its health. */
export const ToolsContent = () => {
  const { value, loading, error, retry } = useTools();
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <LoadError what="the ML tools" error={error} onRetry={retry} />;
  }
  const { tools = [], clusters = [] } = value ?? {};
  return (
    <Container>
      <Flex direction="column" gap="4">
        <ClusterWarnings clusters={clusters} />
        {tools.length === 0 ? (
          <EmptyState
            missing="data"
            title="No ML tools found"
            description="No cluster has a Service labelled ml-platform.io/tool, and none is listed under mlPlatform.tools in app-config.yaml. Label the Services of your MLflow, ZenML and lakeFS dashboards, or list them in config."
          />
        ) : (
          <ToolsTable tools={tools} />
        )}
      </Flex>
    </Container>
  );
};
