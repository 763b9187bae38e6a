import {
  ModelDetailsResponse,
  ModelListQuery,
  ModelSummary,
  ModelVersion,
  SerializationSafety,
} from '@mlplatform/plugin-ml-platform-common';
import { MlPlatformApi } from '../../../api';

const PICKLE =
  'The sklearn flavor loads model.pkl with pickle, which runs arbitrary code on load.';

const version = (
  name: string,
  v: number,
  safety: SerializationSafety,
  reason: string,
  extra: Partial<ModelVersion> = {},
): ModelVersion => ({
  registryId: 'mlflow',
  name,
  version: String(v),
  status: 'READY',
  aliases: [],
  tags: {},
  safety: { safety, reason, flavors: ['sklearn'], source: 'bytes', files: [] },
  links: { registry: `http://mlflow/#/models/${name}/versions/${v}` },
  ...extra,
});

const model = (
  name: string,
  description: string,
  versions: ModelVersion[],
): ModelDetailsResponse => {
  const aliases: Record<string, string> = {};
  for (const v of versions) {
    for (const alias of v.aliases) aliases[alias] = v.version;
  }
  const summary: ModelSummary = {
    registryId: 'mlflow',
    name,
    description,
    owner: 'fraud-ml',
    aliases,
    tags: {},
    latestVersion: versions[0].version,
    deployments: [],
  };
  return {
    model: summary,
    versions,
    deployments: [],
    registries: [],
    clusters: [],
  };
};

/** As seeded in the demo: v1-4 pickled, v5-6 ONNX. Newest first, as the API answers. */
export const fraudDetector = model(
  'fraud-detector',
  'Gradient-boosted fraud risk score for card transactions.',
  [
    version('fraud-detector', 6, 'safe', 'ONNX never unpickles.', {
      aliases: ['challenger'],
    }),
    version('fraud-detector', 5, 'safe', 'ONNX never unpickles.', {
      aliases: ['champion'],
    }),
    version('fraud-detector', 4, 'unsafe', PICKLE),
    version('fraud-detector', 3, 'unsafe', PICKLE),
    version('fraud-detector', 2, 'unsafe', PICKLE),
    version('fraud-detector', 1, 'unsafe', PICKLE),
  ],
);

/** Its champion is pickled, and its newest version is still registering. */
export const productRanker = model(
  'product-ranker',
  'Ranks candidate products for the home page.',
  [
    version('product-ranker', 3, 'safe', 'skops never unpickles.', {
      status: 'PENDING_REGISTRATION',
    }),
    version('product-ranker', 2, 'unsafe', PICKLE, { aliases: ['champion'] }),
    version('product-ranker', 1, 'unsafe', PICKLE),
  ],
);

/** Versions whose loading the backend could not tell safe. */
const churnPredictor = model(
  'churn-predictor',
  'Predicts which subscribers are likely to cancel.',
  [
    {
      ...version('churn-predictor', 2, 'safe', ''),
      safety: undefined,
      safetyError: 'MLflow answered 500 for the MLmodel file',
    },
    version(
      'churn-predictor',
      1,
      'unknown',
      'The custom flavor does not say how it loads.',
    ),
  ],
);

const registry = [fraudDetector, productRanker, churnPredictor];

/** An MlPlatformApi that answers from the models above, as the backend would. */
export const registryApi = () => {
  const listModels = jest.fn(async (query: ModelListQuery = {}) => {
    const search = query.search?.toLowerCase() ?? '';
    const items = registry
      .map(d => d.model)
      .filter(
        m =>
          m.name.includes(search) ||
          (m.description ?? '').toLowerCase().includes(search),
      );
    return {
      items: items.slice(0, query.limit ?? 50),
      totalCount: items.length,
      registries: [
        { id: 'mlflow', type: 'mlflow', ok: true },
        { id: 'mlflow-eu', type: 'mlflow', ok: false, error: 'timed out' },
      ],
      clusters: [],
    };
  });
  const getModel = jest.fn(async (name: string) =>
    registry.find(d => d.model.name === name),
  );
  const api: Partial<MlPlatformApi> = { listModels, getModel };
  return { api, listModels, getModel };
};
