import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { asUser, demoOwnerServices } from '../ownership/__testUtils__/demoOrg';
import { createOwnerCheckAction } from './ownerCheck';
import { examples } from './ownerCheck.examples';

describe('ml-platform:owner:check examples', () => {
  const action = createOwnerCheckAction(demoOwnerServices());

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = {
        ...createMockActionContext({ input: step.input }),
        getInitiatorCredentials: async () => asUser('fatima'),
      };
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'owner',
        'group:default/fraud-ml',
      );
      expect(ctx.output).toHaveBeenCalledWith('name', 'fraud-ml');
    },
  );

  it("fails the step for another team's group", async () => {
    const ctx = {
      ...createMockActionContext({
        input: { owner: 'group:default/recsys-ml' },
      }),
      getInitiatorCredentials: async () => asUser('fatima'),
    };
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /may not create a service owned by group:default\/recsys-ml/,
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
