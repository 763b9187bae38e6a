import { ConfigReader } from '@backstage/config';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { createLineageResolver } from './createLineageResolver';
import { LakefsClient } from './LakefsClient';
import { readLineageConfig } from './readLineageConfig';
import { ZenmlClient } from './ZenmlClient';
import { readPlatformFile } from 'platform-tests';

// Against the real ZenML and lakeFS of the local platform (scripts/platform/up.sh).
describe('lineage from the real ZenML and lakeFS', () => {
  const zenmlJson = readPlatformFile('zenml');
  const lakefsJson = readPlatformFile('lakefs');
  const zenmlSeed = readPlatformFile('zenml-seed');
  const lakefsSeed = readPlatformFile('lakefs-seed');
  const fraudV1 = zenmlSeed.models['fraud-detector'].versions['1'];
  const commitId = lakefsSeed.commits['transactions-2026-09'];

  const config = (zenmlPassword = zenmlJson.password) =>
    readLineageConfig(
      new ConfigReader({
        mlPlatform: {
          zenml: {
            baseUrl: zenmlJson.url,
            username: zenmlJson.username,
            password: zenmlPassword,
          },
          lakefs: {
            baseUrl: lakefsJson.url,
            accessKeyId: lakefsJson.accessKeyId,
            secretAccessKey: lakefsJson.secretAccessKey,
          },
        },
      }),
    );

  // The tags the MLflow seed writes on the run of fraud-detector v1.
  const version: ModelVersion = {
    registryId: 'mlflow',
    name: 'fraud-detector',
    version: '1',
    status: 'READY',
    aliases: [],
    tags: {},
    links: { registry: '' },
    run: {
      runId: 'r1',
      params: {},
      metrics: {},
      tags: {
        'zenml.pipeline_run_id': fraudV1.runId,
        'lakefs.repository': lakefsSeed.repository,
        'lakefs.commit': commitId,
        'lakefs.path': 'fraud/transactions.csv',
      },
    },
  };

  afterEach(() => jest.restoreAllMocks());

  it('links a version to its ZenML run and lakeFS commit, then answers from cache', async () => {
    const { zenml, lakefs } = config();
    const resolver = createLineageResolver({
      zenml: new ZenmlClient(zenml!),
      lakefs: new LakefsClient(lakefs!),
    });
    const lineage = await resolver.resolve(version);
    expect(lineage).toEqual({
      pipelineRun: {
        id: fraudV1.runId,
        name: 'fraud_training-v1',
        pipeline: 'fraud_training',
        status: 'completed',
        link: `${zenmlJson.url}/projects/default/runs/${fraudV1.runId}`,
      },
      dataCommit: expect.objectContaining({
        repository: 'training-data',
        commitId,
        path: 'fraud/transactions.csv',
        message: 'Card transactions, September 2026',
        metadata: { dataset: 'transactions-2026-09' },
        link: `${lakefsJson.url}/repositories/training-data/commits/${commitId}`,
      }),
    });

    const fetchSpy = jest.spyOn(global, 'fetch');
    expect(await resolver.resolve(version)).toEqual(lineage);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('keeps the ids and names the error when ZenML refuses the credentials', async () => {
    const { zenml } = config('wrong-password');
    const resolver = createLineageResolver({ zenml: new ZenmlClient(zenml!) });
    const lineage = await resolver.resolve(version);
    expect(lineage?.pipelineRun).toEqual({
      id: fraudV1.runId,
      link: `${zenmlJson.url}/projects/default/runs/${fraudV1.runId}`,
      error: expect.stringMatching(/ZenML login failed: 401/),
    });
    expect(lineage?.pipelineRun?.error).not.toContain('wrong-password');
    // Without a lakeFS client the commit is still named from the tags.
    expect(lineage?.dataCommit).toEqual({
      repository: 'training-data',
      commitId,
      path: 'fraud/transactions.csv',
    });
  });

  it('has no lineage for a version without lineage tags', async () => {
    const resolver = createLineageResolver({});
    expect(
      await resolver.resolve({ ...version, run: undefined, tags: {} }),
    ).toBeUndefined();
  });
});
