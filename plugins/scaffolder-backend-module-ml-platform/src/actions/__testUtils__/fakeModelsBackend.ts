import { registerMswTestHooks } from '@backstage/backend-test-utils';
import type {
  ModelDetailsResponse,
  ModelVersion,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

// mockServices.discovery() answers http://localhost:0/api/<plugin id>.
const MODEL_URL = 'http://localhost:0/api/ml-platform/models/:name';

/** Verdicts worded as the backend's serialization check words them. */
const verdicts: Record<string, SafetyVerdict> = {
  onnx: {
    safety: 'safe',
    reason:
      'Read 6 files, data only (onnx): loading runs no code from the model.',
    flavors: ['python_function', 'onnx'],
    source: 'bytes',
    files: [
      {
        path: 'model.onnx',
        format: 'onnx',
        safety: 'safe',
        reason: 'ONNX protobuf.',
      },
    ],
  },
  skops: {
    safety: 'safe',
    reason:
      'Read 6 files, data only (skops): loading runs no code from the model.',
    flavors: ['python_function', 'sklearn'],
    source: 'bytes',
    files: [
      {
        path: 'model.skops',
        format: 'skops',
        safety: 'safe',
        reason: 'A skops file of scikit-learn, numpy and scipy types only.',
      },
    ],
  },
  pickle: {
    safety: 'unsafe',
    reason:
      "Loading runs code the model's author chose: model.pkl: Unpickling it imports and calls sklearn.ensemble._gb.GradientBoostingClassifier (suspicious). Re-log the model in a format that loads without running code (ONNX, skops, safetensors or the framework's native format).",
    flavors: ['python_function', 'sklearn'],
    source: 'bytes',
    files: [],
  },
  overBudget: {
    safety: 'unknown',
    reason:
      'Not every file could be checked: model.bin: Over budget: 3000000000 bytes, more than the 268435456 read of one file.',
    flavors: ['python_function', 'xgboost'],
    source: 'bytes',
    files: [],
  },
};

function version(
  name: string,
  v: string,
  extra: Partial<ModelVersion> = {},
): ModelVersion {
  return {
    registryId: 'mlflow',
    name,
    version: v,
    status: 'READY',
    aliases: [],
    tags: {},
    source: `mlflow-artifacts:/1/run-${v}/artifacts/model`,
    run: { runId: `run-${v}`, params: {}, metrics: {}, tags: {} },
    links: { registry: `http://mlflow/#/models/${name}/versions/${v}` },
    ...extra,
  };
}

/** The models the fake backend knows, newest version first like the backend. */
const sampleModels: Record<string, ModelVersion[]> = {
  'fraud-detector': [
    version('fraud-detector', '6', {
      aliases: ['challenger'],
      safety: verdicts.onnx,
    }),
    version('fraud-detector', '5', {
      aliases: ['champion'],
      safety: verdicts.onnx,
    }),
    version('fraud-detector', '4', { status: 'PENDING_REGISTRATION' }),
    version('fraud-detector', '3', {
      safetyError: 'MLmodel of fraud-detector/3 could not be read (500)',
    }),
    version('fraud-detector', '2', { safety: verdicts.pickle }),
    version('fraud-detector', '1', { safety: verdicts.overBudget }),
  ],
  'product-ranker': [
    version('product-ranker', '3', {
      aliases: ['champion'],
      safety: verdicts.skops,
    }),
  ],
};

function details(name: string, versions: ModelVersion[]): ModelDetailsResponse {
  return {
    model: {
      registryId: 'mlflow',
      name,
      aliases: {},
      tags: {},
      deployments: [],
    },
    versions,
    deployments: [],
    registries: [{ id: 'mlflow', type: 'mlflow', ok: true }],
    clusters: [],
  };
}

/**
 * A fake ML Platform backend answering `GET /models/:name` from
 * {@link sampleModels}, with the backend's 404 for other names. Returns every
 * request it gets.
 */
export function useFakeModelsBackend() {
  const server = setupServer();
  registerMswTestHooks(server);
  const received: Array<{ url: URL; authorization: string | null }> = [];
  beforeEach(() => {
    received.length = 0;
    server.use(
      http.get(MODEL_URL, ({ request, params }) => {
        received.push({
          url: new URL(request.url),
          authorization: request.headers.get('authorization'),
        });
        const name = String(params.name);
        const versions = sampleModels[name];
        if (!versions) {
          return HttpResponse.json(
            {
              error: {
                name: 'NotFoundError',
                message: `Model ${name} not found`,
              },
              request: { method: 'GET', url: `/models/${name}` },
              response: { statusCode: 404 },
            },
            { status: 404 },
          );
        }
        return HttpResponse.json(details(name, versions));
      }),
    );
  });
  return { server, received };
}
