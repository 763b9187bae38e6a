import { Flex } from '@backstage/ui';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { ToolLink } from './ToolLink';

const unreachable = (tool: string, error: string) =>
  `${tool} could not be reached, so this id is not checked: ${error}`;

/** Where a version came from: the MLflow run, the ZenML pipeline run, the lakeFS data commit. */
export const LineageLinks = ({ version }: { version: ModelVersion }) => {
  const { run, lineage, links } = version;
  const pipelineRun = lineage?.pipelineRun;
  const dataCommit = lineage?.dataCommit;
  const none = !run && !pipelineRun && !dataCommit;
  return (
    <Flex direction="column" gap="1">
      <ToolLink
        label="MLflow version"
        forVersion={version.version}
        href={links.registry}
      />
      {run && (
        <ToolLink
          label="MLflow run"
          forVersion={version.version}
          href={links.run}
          detail={run.runName ?? run.runId}
        />
      )}
      {pipelineRun && (
        <ToolLink
          label="ZenML run"
          forVersion={version.version}
          href={pipelineRun.link}
          detail={pipelineRun.name ?? pipelineRun.id}
          error={pipelineRun.error && unreachable('ZenML', pipelineRun.error)}
        />
      )}
      {dataCommit && (
        <ToolLink
          label="lakeFS commit"
          forVersion={version.version}
          href={dataCommit.link}
          detail={`${dataCommit.repository}@${dataCommit.commitId.slice(
            0,
            12,
          )}`}
          error={dataCommit.error && unreachable('lakeFS', dataCommit.error)}
        />
      )}
      {none && (
        <ToolLink
          label="No lineage"
          forVersion={version.version}
          detail="the version has no MLflow run"
        />
      )}
    </Flex>
  );
};
