import {
  ModelDetailsResponse,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';

const day = 24 * 3600;

const version = (
  n: number,
  overrides: Partial<ModelVersion> = {},
): ModelVersion => ({
  registryId: 'mlflow',
  name: 'fraud-detector',
  version: String(n),
  status: 'READY',
  aliases: [],
  tags: {},
  createdAt: new Date(Date.UTC(2026, 9, 1 + 3 * n, 9)).toISOString(),
  run: {
    runId: `run${n}`,
    experimentId: '1',
    runName: `fraud_training-v${n}`,
    status: 'FINISHED',
    userId: 'ana',
    params: { max_depth: String(4 + n), learning_rate: '0.1' },
    metrics: { auc: 0.9 + n / 100 },
    tags: {},
  },
  lineage: {
    pipelineRun: {
      id: `zen-${n}`,
      name: `fraud_training-2026_10_0${n}`,
      pipeline: 'fraud_training',
      status: 'completed',
      link: `http://zenml.test/projects/default/runs/zen-${n}`,
    },
    dataCommit: {
      repository: 'training-data',
      commitId: `c0ffee${n}abcdef0123456789`,
      path: 'fraud/transactions.csv',
      message: 'Card transactions, October 2026',
      link: `http://lakefs.test/repositories/training-data/commits/c0ffee${n}abcdef0123456789`,
    },
  },
  safety: {
    safety: 'safe',
    reason: 'ONNX models load without unpickling.',
    flavors: ['onnx'],
    source: 'bytes',
    files: [],
  },
  links: {
    registry: `http://mlflow.test/#/models/fraud-detector/versions/${n}`,
    run: `http://mlflow.test/#/experiments/1/runs/run${n}`,
  },
  ...overrides,
});

/** fraud-detector as the demo platform serves it: 90/10 in prod, v6 alone in staging. */
export const fraudDetector: ModelDetailsResponse = {
  model: {
    registryId: 'mlflow',
    name: 'fraud-detector',
    description: 'Gradient-boosted fraud risk score for card transactions.',
    aliases: { champion: '5', challenger: '6' },
    tags: { owner: 'fraud-ml' },
    latestVersion: '6',
    owner: 'fraud-ml',
    deployments: [
      {
        cluster: 'local',
        namespace: 'ml-prod',
        versions: [
          { version: '5', percent: 90 },
          { version: '6', percent: 10 },
        ],
      },
    ],
    safety: 'safe',
    safetyReason: 'ONNX models load without unpickling.',
    leadTime: { medianSeconds: 2 * day, measuredVersions: 3 },
  },
  versions: [
    version(6, {
      aliases: ['challenger'],
      firstServingAt: new Date(Date.UTC(2026, 9, 20, 9)).toISOString(),
      leadTimeSeconds: 1 * day,
    }),
    version(5, {
      aliases: ['champion'],
      firstServingAt: new Date(Date.UTC(2026, 9, 18, 9)).toISOString(),
      leadTimeSeconds: 2 * day,
    }),
    version(4, {
      safety: {
        safety: 'unsafe',
        reason:
          'sklearn model serialized with cloudpickle: loading it runs pickle.',
        flavors: ['python_function', 'sklearn'],
        source: 'bytes',
        fileCount: 2,
        bytesRead: 2048,
        files: [
          {
            path: 'model.pkl',
            format: 'pickle',
            safety: 'unsafe',
            reason: 'Unpickling it runs posix.system (dangerous).',
            size: 2000,
            imports: [{ module: 'posix', name: 'system', risk: 'dangerous' }],
            innocuousImports: 3,
          },
          {
            path: 'MLmodel',
            format: 'text',
            safety: 'safe',
            reason: 'Read by MLflow as text, never by a model loader.',
          },
        ],
      },
      leadTimeSeconds: 5 * day,
      lineage: {
        pipelineRun: {
          id: 'zen-4',
          error: 'ZenML unreachable: connect ECONNREFUSED 127.0.0.1:8237',
        },
        dataCommit: {
          repository: 'training-data',
          commitId: 'deadbeef4abcdef0123456789',
          error: 'lakeFS unreachable: timed out after 5s',
        },
      },
    }),
    version(3, {
      safety: undefined,
      safetyError: 'MLmodel of version 3 could not be read: 404 Not Found',
    }),
  ],
  deployments: [
    {
      cluster: 'local',
      namespace: 'ml-prod',
      model: 'fraud-detector',
      registryId: 'mlflow',
      router: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        name: 'fraud-detector',
        resourceVersion: '812',
        managedBy: 'Argo CD',
      },
      versions: [
        {
          version: '5',
          workload: {
            kind: 'Deployment',
            name: 'fraud-scorer-v5',
            replicas: 3,
            readyReplicas: 3,
            availableReplicas: 3,
          },
          weight: 90,
          percent: 90,
        },
        {
          version: '6',
          workload: {
            kind: 'Deployment',
            name: 'fraud-scorer-v6',
            replicas: 2,
            readyReplicas: 1,
            availableReplicas: 1,
          },
          weight: 10,
          percent: 10,
        },
      ],
    },
    {
      cluster: 'local',
      namespace: 'ml-staging',
      model: 'fraud-detector',
      registryId: 'mlflow',
      router: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'fraud-scorer',
        resourceVersion: '901',
      },
      versions: [
        {
          version: '6',
          workload: {
            kind: 'Rollout',
            name: 'fraud-scorer',
            replicas: 1,
            readyReplicas: 1,
            availableReplicas: 1,
          },
          percent: 100,
        },
      ],
      progress: {
        phase: 'Paused',
        currentStepIndex: 1,
        totalSteps: 4,
        paused: true,
        message: 'CanaryPauseStep',
      },
    },
  ],
  registries: [{ id: 'mlflow', type: 'mlflow', ok: true }],
  clusters: [{ name: 'local', ok: true }],
};
