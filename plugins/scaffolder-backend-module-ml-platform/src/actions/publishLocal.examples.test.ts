import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createPublishLocalAction } from './publishLocal';
import { examples } from './publishLocal.examples';

const scaffolded = createMockDirectory();
const workspace = createMockDirectory();

describe('ml-platform:publish:local examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      const catalogInfo = yaml.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: step.input.name },
      });
      scaffolded.clear();
      workspace.setContent(
        step.input.sourcePath
          ? { [step.input.sourcePath]: { 'catalog-info.yaml': catalogInfo } }
          : { 'catalog-info.yaml': catalogInfo },
      );
      const catalog = catalogServiceMock.mock({
        getLocationByRef: jest.fn().mockResolvedValue(undefined),
      });
      const action = createPublishLocalAction({
        catalog,
        config: new ConfigReader({
          mlPlatform: {
            scaffolder: {
              publish: { provider: 'local', directory: scaffolded.path },
            },
          },
        }),
      });
      expect(step.action).toBe(action.id);
      const ctx = createMockActionContext({
        input: step.input,
        workspacePath: workspace.path,
      });

      await action.handler(ctx as any);

      const target = path.join(
        scaffolded.path,
        step.input.name,
        'catalog-info.yaml',
      );
      expect(catalog.addLocation).toHaveBeenCalledWith(
        { type: 'file', target },
        expect.anything(),
      );
      expect(ctx.output).toHaveBeenCalledWith(
        'entityRef',
        `component:default/${step.input.name}`,
      );
    },
  );
});
