import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type TestBackend,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
// The backend the action calls, for real; only this test imports it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import { readPlatformFile } from 'platform-tests';
import { createModelVersionCheckAction } from './modelVersionCheck';

/*
 * The action against the real ML Platform backend reading the local MLflow
 * and its demo models (scripts/platform/demo-platform.json), so the formats
 * and reasons are the ones the backend's serialization check really gives.
 */

jest.setTimeout(120_000);

const mlflow = readPlatformFile<{
  url: string;
  username: string;
  password: string;
}>('mlflow');

let backend: TestBackend;
let action: ReturnType<typeof createModelVersionCheckAction>;

beforeAll(async () => {
  backend = await startTestBackend({
    features: [
      mlPlatformPlugin,
      mockServices.rootConfig.factory({
        data: {
          mlPlatform: {
            registries: {
              mlflow: [
                {
                  id: 'mlflow',
                  baseUrl: mlflow.url,
                  auth: {
                    username: mlflow.username,
                    password: mlflow.password,
                  },
                },
              ],
            },
          },
        },
      }),
    ],
  });
  const baseUrl = `http://localhost:${backend.server.port()}/api/ml-platform`;
  action = createModelVersionCheckAction({
    discovery: {
      getBaseUrl: async () => baseUrl,
      getExternalBaseUrl: async () => baseUrl,
    },
    auth: mockServices.auth(),
  });
  // Until the registry's first read the backend answers 503.
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${baseUrl}/models/fraud-detector`, {
      headers: { authorization: mockCredentials.user.header() },
    });
    if (res.status !== 503) break;
    await new Promise(r => setTimeout(r, 500));
  }
});

afterAll(async () => {
  await backend?.stop();
});

async function check(input: { model: string; version: string | number }) {
  const ctx = createMockActionContext({ input });
  await action.handler(ctx as any);
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

describe('ml-platform:model-version:check against the local MLflow', () => {
  it.each([
    ['fraud-detector', 5, 'onnx', ['champion']],
    ['fraud-detector', 6, 'onnx', ['challenger']],
    ['product-ranker', '3', 'skops', ['champion']],
    ['churn-predictor', '1', 'xgboost', []],
  ])(
    'accepts %s version %s, stored as %s',
    async (model, version, format, aliases) => {
      const out = await check({ model, version });
      expect(out).toMatchObject({
        registry: 'mlflow',
        model,
        version: String(version),
        format,
        safety: 'safe',
        modelUri: `models:/${model}/${version}`,
      });
      expect(out.aliases).toEqual(expect.arrayContaining(aliases as string[]));
      expect(out.source).toMatch(/\S/);
      expect(out.runId).toMatch(/^[0-9a-f]{32}$/);
    },
  );

  it.each([
    [
      'a version stored with pickle',
      { model: 'fraud-detector', version: 2 },
      /^fraud-detector v2 is unsafe to serve: Loading runs code the model's author chose: model\.pkl: Unpickling it imports and calls sklearn\..*Re-log the model/,
    ],
    [
      'a pickled pyfunc',
      { model: 'churn-predictor', version: 3 },
      /^churn-predictor v3 is unsafe to serve: .*python_model\.pkl: Unpickling it runs cloudpickle/,
    ],
    [
      'a version that does not exist',
      { model: 'fraud-detector', version: 99 },
      /^Model fraud-detector has no version 99 \(versions: 6, 5, 4, 3, 2, 1\)$/,
    ],
    [
      'a model that does not exist',
      { model: 'no-such-model', version: 1 },
      /^Unknown model 'no-such-model': /,
    ],
  ])('refuses %s with the reason', async (_, input, message) => {
    const ctx = createMockActionContext({ input });
    const run = action.handler(ctx as any);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toMatchObject({ name: 'InputError' });
  });
});
