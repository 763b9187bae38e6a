import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createModelVersionCheckAction } from './modelVersionCheck';
import { examples } from './modelVersionCheck.examples';
import { actionServices } from './__testUtils__/fakeRolloutsBackend';
import { useFakeModelsBackend } from './__testUtils__/fakeModelsBackend';

useFakeModelsBackend();

describe('ml-platform:model-version:check examples', () => {
  const action = createModelVersionCheckAction(actionServices());

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = createMockActionContext({ input: step.input });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'modelUri',
        `models:/${step.input.model}/${step.input.version}`,
      );
      expect(ctx.output).toHaveBeenCalledWith('safety', 'safe');
    },
  );
});
