import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createModelVersionCheckAction } from './modelVersionCheck';
import {
  actionServices,
  dryRun,
  initiatorToken,
} from './__testUtils__/fakeRolloutsBackend';
import { useFakeModelsBackend } from './__testUtils__/fakeModelsBackend';

const backend = useFakeModelsBackend();

const action = createModelVersionCheckAction(actionServices());

function outputs(ctx: ReturnType<typeof createMockActionContext>) {
  return Object.fromEntries(
    (ctx.output as jest.Mock).mock.calls as Array<[string, unknown]>,
  );
}

describe('ml-platform:model-version:check', () => {
  it('returns what a model service needs to fetch and load a safe version', async () => {
    const before = Date.now();
    const ctx = createMockActionContext({
      input: { model: 'fraud-detector', version: 5 },
    });

    await action.handler(ctx as any);

    const out = outputs(ctx);
    expect(out).toEqual({
      registry: 'mlflow',
      model: 'fraud-detector',
      version: '5',
      format: 'onnx',
      safety: 'safe',
      aliases: ['champion'],
      modelUri: 'models:/fraud-detector/5',
      source: 'mlflow-artifacts:/1/run-5/artifacts/model',
      runId: 'run-5',
      checkedAt: expect.any(String),
    });
    expect(Date.parse(out.checkedAt as string)).toBeGreaterThanOrEqual(
      before - 1000,
    );
    expect(backend.received).toEqual([
      {
        url: expect.objectContaining({
          pathname: '/api/ml-platform/models/fraud-detector',
          search: '',
        }),
        authorization: initiatorToken(),
      },
    ]);
  });

  it('names skops as the format of an sklearn model stored with skops, and passes the registry', async () => {
    const ctx = createMockActionContext({
      input: { model: 'product-ranker', version: '3', registry: 'mlflow' },
    });

    await action.handler(ctx as any);

    expect(outputs(ctx)).toMatchObject({ format: 'skops', version: '3' });
    expect(backend.received[0].url.searchParams.get('registry')).toBe('mlflow');
  });

  it('takes an empty registry, as a form without a registry choice renders it, as the default', async () => {
    const ctx = createMockActionContext({
      input: { model: 'fraud-detector', version: '5', registry: '' },
    });

    await action.handler(ctx as any);

    expect(outputs(ctx)).toMatchObject({ registry: 'mlflow', version: '5' });
    expect(backend.received[0].url.search).toBe('');
  });

  it('runs in a dry run too, since it only reads', async () => {
    const ctx = dryRun(
      createMockActionContext({
        input: { model: 'fraud-detector', version: '6' },
      }),
    );

    await action.handler(ctx as any);

    expect(outputs(ctx)).toMatchObject({
      version: '6',
      aliases: ['challenger'],
    });
  });

  it.each([
    [
      'an unsafe version, with the reason',
      { model: 'fraud-detector', version: '2' },
      /^fraud-detector v2 is unsafe to serve: Loading runs code the model's author chose: model.pkl: Unpickling it imports and calls sklearn.ensemble._gb.GradientBoostingClassifier \(suspicious\)/,
    ],
    [
      'an unknown model',
      { model: 'no-such-model', version: '1' },
      "Unknown model 'no-such-model': no registry has it",
    ],
    [
      'an unknown version, naming the versions there are',
      { model: 'fraud-detector', version: 99 },
      'Model fraud-detector has no version 99 (versions: 6, 5, 4, 3, 2, 1)',
    ],
    [
      'a version that is not READY',
      { model: 'fraud-detector', version: '4' },
      'Model version fraud-detector/4 is not ready to serve: its registry status is PENDING_REGISTRATION',
    ],
    [
      'a version whose MLmodel could not be read',
      { model: 'fraud-detector', version: '3' },
      /fraud-detector v3 may not serve: its serialization is unknown, its files could not be checked \(MLmodel of fraud-detector\/3 could not be read \(500\)\)/,
    ],
    [
      'a version whose format is unknown',
      { model: 'fraud-detector', version: '1' },
      /fraud-detector v1 may not serve: its serialization is unknown, not every file could be checked: model.bin: Over budget/,
    ],
  ])('refuses %s', async (_, input, message) => {
    const ctx = createMockActionContext({ input });
    const run = action.handler(ctx as any);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toMatchObject({ name: 'InputError' });
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('passes an unknown version only for a cluster and namespace that config allows', async () => {
    const allowing = createModelVersionCheckAction({
      ...actionServices(),
      config: new ConfigReader({
        mlPlatform: {
          safety: { allowUnknown: [{ cluster: 'dev', namespace: 'sandbox' }] },
        },
      }),
    });
    const run = (extra: object) => {
      const ctx = createMockActionContext({
        input: { model: 'fraud-detector', version: '1', ...extra },
      });
      return allowing.handler(ctx as any).then(() => outputs(ctx));
    };
    await expect(
      run({ cluster: 'dev', namespace: 'sandbox' }),
    ).resolves.toMatchObject({
      safety: 'unknown',
    });
    await expect(run({ cluster: 'dev', namespace: 'prod' })).rejects.toThrow(
      'fraud-detector v1 may not serve in dev/prod: its serialization is unknown',
    );
    // Without a target there is no place that allows it.
    await expect(run({})).rejects.toThrow(
      /may not serve: its serialization is unknown/,
    );
  });

  it("refuses a safe version whose format the template's service cannot load", async () => {
    const ctx = createMockActionContext({
      input: { model: 'product-ranker', version: '3', formats: ['onnx'] },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      "Model version product-ranker/3 is stored as skops, which this template's service cannot load: it loads onnx. Log the model in one of those formats.",
    );
  });

  it('refuses a version that is not a number without asking the backend', async () => {
    const ctx = createMockActionContext({
      input: { model: 'fraud-detector', version: 'latest' },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      "version 'latest' is not an MLflow model version (a positive integer)",
    );
    expect(backend.received).toEqual([]);
  });
});
