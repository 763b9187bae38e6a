import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createDeploymentLabelsAction } from './deploymentLabels';
import { examples } from './deploymentLabels.examples';

describe('ml-platform:deployment:labels examples', () => {
  const action = createDeploymentLabelsAction();

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = createMockActionContext({ input: step.input });
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith(
        'workloadName',
        `${step.input.name}-v${step.input.version}`,
      );
    },
  );
});
