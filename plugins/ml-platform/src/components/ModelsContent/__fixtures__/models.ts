import { Entity } from '@backstage/catalog-model';
import {
  ModelListResponse,
  ModelSummary,
} from '@mlplatform/plugin-ml-platform-common';

export const fraudDetector: ModelSummary = {
  registryId: 'mlflow',
  name: 'fraud-detector',
  description: 'Scores card transactions',
  owner: 'fraud-ml',
  aliases: { champion: '5', challenger: '6' },
  tags: {},
  latestVersion: '6',
  deployments: [
    {
      cluster: 'prod',
      namespace: 'ml-prod',
      versions: [
        { version: '5', percent: 90 },
        { version: '6', percent: 10 },
      ],
    },
  ],
  safety: 'unsafe',
  safetyReason: 'The sklearn flavor of v5 loads a pickle file.',
  leadTime: { medianSeconds: 3 * 3600 + 20 * 60, measuredVersions: 4 },
  lastRollout: {
    // Half a minute past two hours, so the page reads "2 h" however slow the run.
    at: new Date(Date.now() - (2 * 3600 + 30) * 1000).toISOString(),
    strategy: 'canary',
    cluster: 'prod',
    namespace: 'ml-prod',
    actor: 'user:default/ada',
  },
};

export const productRanker: ModelSummary = {
  registryId: 'mlflow',
  name: 'product-ranker',
  owner: 'search',
  aliases: {},
  tags: {},
  latestVersion: '4',
  deployments: [],
  safety: 'safe',
  safetyReason: 'ONNX never unpickles.',
};

export const churnPredictor: ModelSummary = {
  registryId: 'mlflow',
  name: 'churn-predictor',
  aliases: { champion: '2' },
  tags: {},
  latestVersion: '2',
  deployments: [],
};

export const listResponse = (
  items: ModelSummary[],
  extra: Partial<ModelListResponse> = {},
): ModelListResponse => ({
  items,
  totalCount: items.length,
  registries: [{ id: 'mlflow', type: 'mlflow', ok: true }],
  clusters: [
    { name: 'prod', ok: true },
    { name: 'staging', ok: true },
  ],
  ...extra,
});

/** The component that names fraud-detector, and the resource the catalog module made for product-ranker. */
export const modelEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'fraud-scorer',
      namespace: 'default',
      annotations: { 'ml-platform.io/registered-model': 'fraud-detector' },
    },
    spec: { type: 'model-service', owner: 'group:fraud-ml' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'product-ranker',
      namespace: 'default',
      annotations: {
        'ml-platform.io/registered-model': 'mlflow/product-ranker',
      },
    },
    spec: { type: 'ml-model', owner: 'group:search' },
  },
];
