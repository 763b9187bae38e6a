import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createPublishTargetAction } from './publishTarget';
import { examples } from './publishTarget.examples';

describe('ml-platform:publish:target examples', () => {
  const action = createPublishTargetAction({
    config: new ConfigReader({
      mlPlatform: {
        scaffolder: { publish: { provider: 'github', owner: 'acme' } },
      },
    }),
  });

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = createMockActionContext({ input: step.input });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('provider', 'github');
      expect(ctx.output).toHaveBeenCalledWith(
        'repoUrl',
        `github.com?owner=acme&repo=${step.input.name}`,
      );
    },
  );
});
