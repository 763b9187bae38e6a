import {
  ModelLineage,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';
import { LakefsClient } from './LakefsClient';
import { ZenmlClient } from './ZenmlClient';

/**
 * Run and model-version tags that name where a version came from: ours,
 * explicit, and the ones ZenML's MLflow model registry writes itself.
 */
const LINEAGE_TAGS = {
  pipelineRunId: ['zenml.pipeline_run_id', 'zenml_pipeline_run_uuid'],
  lakefsRepository: 'lakefs.repository',
  lakefsCommit: 'lakefs.commit',
  lakefsPath: 'lakefs.path',
};

/** Resolves the lineage of model versions, caching what cannot change. */
export interface LineageResolver {
  resolve(version: ModelVersion): Promise<ModelLineage | undefined>;
}

export function createLineageResolver(options: {
  zenml?: ZenmlClient;
  lakefs?: LakefsClient;
}): LineageResolver {
  const { zenml, lakefs } = options;
  // A finished pipeline run and a commit never change: cache them for good.
  // Failures and unfinished runs are asked again next time.
  const runs = new Map<string, ModelLineage['pipelineRun']>();
  const commits = new Map<string, ModelLineage['dataCommit']>();
  const FINAL = new Set(['completed', 'failed', 'cached', 'stopped']);

  async function pipelineRun(id: string) {
    const cached = runs.get(id);
    if (cached) return cached;
    if (!zenml) return { id };
    try {
      const run = await zenml.getRun(id);
      if (run.status && FINAL.has(run.status)) runs.set(id, run);
      return run;
    } catch (e) {
      return {
        id,
        link: zenml.runLink(id),
        error: String((e as Error).message),
      };
    }
  }

  async function dataCommit(
    repository: string,
    commitId: string,
    path?: string,
  ) {
    const key = `${repository}@${commitId}`;
    const cached = commits.get(key);
    if (cached) return { ...cached, path };
    if (!lakefs) return { repository, commitId, path };
    try {
      const commit = await lakefs.getCommit(repository, commitId);
      commits.set(key, commit);
      return { ...commit, path };
    } catch (e) {
      return {
        repository,
        commitId,
        path,
        link: lakefs.commitLink(repository, commitId),
        error: String((e as Error).message),
      };
    }
  }

  return {
    async resolve(version) {
      const tags = { ...version.tags, ...version.run?.tags };
      const runId = LINEAGE_TAGS.pipelineRunId.map(t => tags[t]).find(Boolean);
      const repository = tags[LINEAGE_TAGS.lakefsRepository];
      const commitId = tags[LINEAGE_TAGS.lakefsCommit];
      const lineage: ModelLineage = {};
      if (runId) lineage.pipelineRun = await pipelineRun(runId);
      if (repository && commitId) {
        lineage.dataCommit = await dataCommit(
          repository,
          commitId,
          tags[LINEAGE_TAGS.lakefsPath],
        );
      }
      return lineage.pipelineRun || lineage.dataCommit ? lineage : undefined;
    },
  };
}
