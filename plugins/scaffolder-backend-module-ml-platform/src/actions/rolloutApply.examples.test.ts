import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createRolloutApplyAction } from './rolloutApply';
import { examples as applyExamples } from './rolloutApply.examples';
import { createRolloutRollbackAction } from './rolloutRollback';
import { examples as rollbackExamples } from './rolloutRollback.examples';
import {
  actionServices,
  useFakeRolloutsBackend,
} from './__testUtils__/fakeRolloutsBackend';

const rolloutsBackend = useFakeRolloutsBackend();

const services = actionServices();

describe.each([
  [createRolloutApplyAction(services), applyExamples, {}],
  [
    createRolloutRollbackAction(services),
    rollbackExamples,
    { strategy: 'rollback' },
  ],
])('%s examples', (action, examples, added) => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const received = rolloutsBackend.answer();
      const ctx = createMockActionContext({ input: step.input });

      await action.handler(ctx as any);

      expect(received.map(r => r.body)).toEqual([{ ...step.input, ...added }]);
      expect(ctx.output).toHaveBeenCalledWith('auditId', '41');
    },
  );
});
