import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { HttpResponse } from 'msw';
import { createRolloutRollbackAction } from './rolloutRollback';
import {
  actionServices,
  useFakeRolloutsBackend,
  initiatorToken,
  sampleDeployment,
  sampleResult,
  dryRun,
} from './__testUtils__/fakeRolloutsBackend';

const rolloutsBackend = useFakeRolloutsBackend();

const action = createRolloutRollbackAction(actionServices());

const input = { ...sampleDeployment, expectedResourceVersion: '48213' };

describe('ml-platform:rollout:rollback', () => {
  it('asks for a rollback as the user who started the task and outputs the restored split', async () => {
    const received = rolloutsBackend.answer();
    const ctx = createMockActionContext({ input });

    await action.handler(ctx as any);

    expect(received).toEqual([
      {
        body: { ...input, strategy: 'rollback' },
        authorization: initiatorToken(),
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('after', sampleResult.after);
    expect(ctx.output).toHaveBeenCalledWith('auditId', '41');
  });

  it('sends nothing in a dry run', async () => {
    const received = rolloutsBackend.answer();
    const ctx = dryRun(createMockActionContext({ input }));

    await action.handler(ctx as any);

    expect(received).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('request', {
      ...input,
      strategy: 'rollback',
    });
  });

  it('surfaces the backend message when there is nothing to roll back', async () => {
    rolloutsBackend.answer(() =>
      HttpResponse.json(
        {
          error: {
            name: 'NotFoundError',
            message:
              'No succeeded rollout of fraud-detector in local/ml-prod to roll back',
          },
          request: { method: 'POST', url: '/api/ml-platform/rollouts' },
          response: { statusCode: 404 },
        },
        { status: 404 },
      ),
    );
    const ctx = createMockActionContext({ input });

    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'The ML Platform refused the rollout (404): No succeeded rollout of fraud-detector in local/ml-prod to roll back',
    });
  });
});
