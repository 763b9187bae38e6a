import { Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Card, CardBody, CardHeader, Text } from '@backstage/ui';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import { LoadError } from '../LoadError';
import { ToolsTable, toolTypeName } from './ToolsTable';
import { useTools } from './useTools';

/**
 * The running instances of the tool an entity stands for (its
 * `ml-platform.io/tool` annotation), with health and dashboard links.
 */
export const EntityToolCard = () => {
  const { entity } = useEntity();
  const type = entity.metadata.annotations?.[ML_PLATFORM_LABELS.tool] ?? '';
  const { value, loading, error, retry } = useTools();
  const tools = value?.tools.filter(t => t.type === type) ?? [];
  const failed = value?.clusters.filter(c => !c.ok) ?? [];

  return (
    <Card>
      <CardHeader>
        <Text variant="title-x-small" as="h2">
          {toolTypeName(type)} dashboards
        </Text>
      </CardHeader>
      <CardBody>
        {loading && <Progress />}
        {error && (
          <LoadError what="the ML tools" error={error} onRetry={retry} />
        )}
        {failed.length > 0 && (
          <Text color="warning" as="p">
            {failed.map(c => `cluster ${c.name} unreachable`).join(', ')}: its{' '}
            {toolTypeName(type)} instances may be missing.
          </Text>
        )}
        {value && tools.length === 0 && (
          <Text as="p">
            No {toolTypeName(type)} found. The backend finds it by a Service
            labelled {ML_PLATFORM_LABELS.tool}={type}, or by an entry of type{' '}
            {type} under mlPlatform.tools in app-config.yaml.
          </Text>
        )}
        {tools.length > 0 && <ToolsTable tools={tools} />}
      </CardBody>
    </Card>
  );
};
