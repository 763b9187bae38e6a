import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { HttpResponse } from 'msw';
import { createRolloutApplyAction } from './rolloutApply';
import {
  actionServices,
  useFakeRolloutsBackend,
  initiatorToken,
  sampleDeployment,
  sampleResult,
  dryRun,
} from './__testUtils__/fakeRolloutsBackend';

const rolloutsBackend = useFakeRolloutsBackend();

const action = createRolloutApplyAction(actionServices());

const errorBody = (name: string, message: string) => ({
  error: { name, message },
  request: { method: 'POST', url: '/api/ml-platform/rollouts' },
  response: { statusCode: 0 },
});

describe('ml-platform:rollout:apply', () => {
  it('sends the rollout as the user who started the task and outputs what changed', async () => {
    const received = rolloutsBackend.answer();
    const input = {
      ...sampleDeployment,
      strategy: 'canary',
      target: { version: 3, percent: 20 },
      expectedResourceVersion: '48213',
    };
    const ctx = createMockActionContext({ input });

    await action.handler(ctx as any);

    expect(received).toEqual([
      {
        body: {
          ...sampleDeployment,
          strategy: 'canary',
          target: { version: '3', percent: 20 },
          expectedResourceVersion: '48213',
        },
        authorization: initiatorToken(),
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('auditId', '41');
    expect(ctx.output).toHaveBeenCalledWith('before', sampleResult.before);
    expect(ctx.output).toHaveBeenCalledWith('after', sampleResult.after);
    expect(ctx.output).toHaveBeenCalledWith('router', sampleResult.router);
    expect(ctx.output).toHaveBeenCalledWith('resourceVersion', '48214');
  });

  it('sends nothing again when a resumed task has the checkpoint of the same request', async () => {
    const received = rolloutsBackend.answer();
    const input = {
      ...sampleDeployment,
      strategy: 'promote',
      target: { version: '3' },
    };
    const checkpoints = new Map<string, unknown>();
    const run = async () => {
      const ctx = createMockActionContext({ input });
      ctx.checkpoint = (async ({ key, fn }: any) => {
        if (!checkpoints.has(key)) checkpoints.set(key, await fn());
        return checkpoints.get(key);
      }) as any;
      await action.handler(ctx as any);
      return ctx;
    };

    await run();
    const resumed = await run();

    expect(received).toHaveLength(1);
    expect(resumed.output).toHaveBeenCalledWith('auditId', '41');
  });

  it('in a dry run, checks the input and reports the request without sending it', async () => {
    const received = rolloutsBackend.answer();
    const input = {
      ...sampleDeployment,
      strategy: 'split',
      weights: { '2': 50, '3': 50 },
    };
    const ctx = dryRun(createMockActionContext({ input }));

    await action.handler(ctx as any);

    expect(received).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('request', input);
    expect(ctx.output).not.toHaveBeenCalledWith('auditId', expect.anything());
  });

  it.each([
    [{ strategy: 'canary', target: { version: '3' } }, /^target.percent:/],
    [{ strategy: 'promote' }, /^target.version:/],
    [{ strategy: 'split' }, /^weights: name at least one version/],
    [
      { strategy: 'split', weights: { '2': 0, '3': 0 } },
      /^weights: at least one version must get traffic/,
    ],
    [
      { strategy: 'split', weights: { '2': 2_000_000 } },
      /weights\.2: Number must be less than or equal to 1000000/,
    ],
    [
      { strategy: 'rollback', weights: { '2': 1 } },
      /^weights: not used by the rollback strategy/,
    ],
  ])(
    'refuses %j before sending anything, naming the field, in dry run and real run',
    async (fields, message) => {
      const received = rolloutsBackend.answer();
      for (const isDryRun of [true, false]) {
        const ctx = createMockActionContext({
          input: { ...sampleDeployment, ...fields },
        });
        ctx.isDryRun = isDryRun;
        await expect(action.handler(ctx as any)).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(message),
        });
      }
      expect(received).toEqual([]);
    },
  );

  it('surfaces a conflict with the split as it is now and its resourceVersion', async () => {
    rolloutsBackend.answer(() =>
      HttpResponse.json(
        {
          ...errorBody(
            'ConflictError',
            'HTTPRoute fraud-detector changed since it was read: nothing was applied',
          ),
          current: {
            versions: [
              { version: '2', weight: 50, percent: 50 },
              { version: '3', weight: 50, percent: 50 },
            ],
          },
          resourceVersion: '48300',
        },
        { status: 409 },
      ),
    );
    const ctx = createMockActionContext({
      input: {
        ...sampleDeployment,
        strategy: 'canary',
        target: { version: '3', percent: 20 },
        expectedResourceVersion: '48213',
      },
    });

    const error = await action.handler(ctx as any).catch(e => e);

    expect(error.name).toBe('ConflictError');
    expect(error.message).toBe(
      'The ML Platform refused the rollout (409): HTTPRoute fraud-detector changed since it was read: nothing was applied. ' +
        'Current split: 2: 50%, 3: 50%. Run again with expectedResourceVersion 48300 to apply against it.',
    );
    expect(ctx.output).not.toHaveBeenCalledWith('auditId', expect.anything());
  });

  it.each([
    [
      403,
      'NotAllowedError',
      'Not allowed to change the traffic of model fraud-detector',
    ],
    [400, 'InputError', 'target.version: version 9 is not a version of model'],
    [404, 'NotFoundError', "No registered model named 'fraud-detector'"],
  ])(
    'surfaces a %d with the backend message as %s',
    async (status, name, message) => {
      rolloutsBackend.answer(() =>
        HttpResponse.json(errorBody(name, message), { status }),
      );
      const ctx = createMockActionContext({
        input: {
          ...sampleDeployment,
          strategy: 'promote',
          target: { version: '9' },
        },
      });

      await expect(action.handler(ctx as any)).rejects.toMatchObject({
        name,
        message: `The ML Platform refused the rollout (${status}): ${message}`,
      });
    },
  );

  it('reports an answer that is not a Backstage error with its status and text', async () => {
    rolloutsBackend.answer(
      () => new HttpResponse('upstream connect error', { status: 502 }),
    );
    const ctx = createMockActionContext({
      input: { ...sampleDeployment, strategy: 'rollback' },
    });

    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^The ML Platform failed the rollout \(502\): .*upstream connect error/,
    );
  });
});
