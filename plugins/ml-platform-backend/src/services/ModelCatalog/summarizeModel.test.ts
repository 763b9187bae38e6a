import {
  ModelDeployment,
  ModelVersion,
  RegisteredModel,
  SerializationSafety,
} from '@mlplatform/plugin-ml-platform-common';
import { queryModels } from './queryModels';
import { isDeploymentOf, summarizeModel } from './summarizeModel';

const fraud: RegisteredModel = {
  registryId: 'mlflow',
  name: 'fraud-detector',
  aliases: { champion: '5', challenger: '6' },
  tags: { owner: 'fraud-ml' },
  latestVersion: '7',
};

const version = (v: string, safety: SerializationSafety): ModelVersion => ({
  registryId: 'mlflow',
  name: 'fraud-detector',
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  safety: {
    safety,
    reason: `${safety} format`,
    flavors: [],
    source: 'bytes',
    files: [],
  },
  links: { registry: '' },
});

const deployment = (
  cluster: string,
  namespace: string,
  split: Record<string, number>,
  extra: Partial<ModelDeployment> = {},
): ModelDeployment => ({
  cluster,
  namespace,
  model: 'fraud-detector',
  versions: Object.entries(split).map(([v, percent]) => ({
    version: v,
    percent,
  })),
  ...extra,
});

const versions = [
  version('5', 'safe'),
  version('6', 'unsafe'),
  version('7', 'safe'),
];

describe('summarizeModel', () => {
  it('judges safety by the versions that serve traffic, the least safe first', () => {
    const summary = summarizeModel(fraud, versions, [
      deployment('prod', 'ml-prod', { '5': 90, '6': 10 }),
    ]);
    expect(summary.safety).toBe('unsafe');
    expect(summary.safetyReason).toBe('v6: unsafe format');
    expect(summary.deployments).toEqual([
      {
        cluster: 'prod',
        namespace: 'ml-prod',
        versions: [
          { version: '5', percent: 90 },
          { version: '6', percent: 10 },
        ],
      },
    ]);
  });

  it('ignores versions deployed at 0 %, and judges the latest version when nothing serves', () => {
    expect(
      summarizeModel(fraud, versions, [
        deployment('prod', 'ml-prod', { '5': 100, '6': 0 }),
      ]).safety,
    ).toBe('safe');
    expect(summarizeModel(fraud, versions, []).safetyReason).toBe(
      'v7: safe format',
    );
  });

  it('matches deployments by model name and registry, the default one when unlabelled', () => {
    const of = isDeploymentOf(fraud, 'mlflow');
    expect(of(deployment('a', 'n', {}))).toBe(true);
    // Not the default registry's model: an unlabelled deployment is not its.
    expect(isDeploymentOf(fraud, 'mlflow-eu')(deployment('a', 'n', {}))).toBe(
      false,
    );
    expect(of(deployment('a', 'n', {}, { registryId: 'mlflow' }))).toBe(true);
    expect(of(deployment('a', 'n', {}, { registryId: 'mlflow-eu' }))).toBe(
      false,
    );
    expect(of(deployment('a', 'n', {}, { model: 'churn' }))).toBe(false);
  });
});

describe('queryModels', () => {
  const deployed = summarizeModel(fraud, versions, [
    deployment('prod-eu', 'ml-prod', { '5': 100 }),
  ]);
  const idle = summarizeModel(
    { ...fraud, name: 'churn' },
    [],
    [deployment('staging', 'ml-staging', { '1': 0 })],
  );
  const page = { offset: 0, limit: 50 };

  it('filters by cluster and by whether any version serves traffic', () => {
    const names = (q: object) =>
      queryModels([deployed, idle], { ...page, ...q }).items.map(m => m.name);
    expect(names({ cluster: 'prod-eu' })).toEqual(['fraud-detector']);
    expect(names({ cluster: 'staging' })).toEqual(['churn']);
    expect(names({ deployed: true })).toEqual(['fraud-detector']);
    expect(names({ deployed: false })).toEqual(['churn']);
  });

  it('counts a model without any verdict as unknown', () => {
    const names = (q: object) =>
      queryModels([deployed, idle], { ...page, ...q }).items.map(m => m.name);
    expect(idle.safety).toBeUndefined();
    expect(names({ safety: 'unknown' })).toEqual(['churn']);
    expect(names({ safety: 'safe' })).toEqual(['fraud-detector']);
  });

  it('matches an alias by its own name only, never a key every object has', () => {
    const names = (alias: string) =>
      queryModels([deployed, idle], { ...page, alias }).items.map(m => m.name);
    expect(names('champion')).toEqual(['fraud-detector', 'churn']);
    for (const key of [
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
    ]) {
      expect(names(key)).toEqual([]);
    }
  });

  it('counts every match before paging', () => {
    expect(
      queryModels([deployed, idle], { offset: 1, limit: 1 }),
    ).toMatchObject({ totalCount: 2, items: [{ name: 'churn' }] });
  });
});
