import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createPublishLocalAction } from './publishLocal';
import { dryRun } from './__testUtils__/fakeRolloutsBackend';

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: fraud-features-api
spec: { type: openapi, lifecycle: experimental, owner: fraud-ml, definition: x }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: fraud-features
spec: { type: processing-service, lifecycle: experimental, owner: fraud-ml }
`;

const scaffolded = createMockDirectory();
const workspace = createMockDirectory();

function setup(catalogImpl: object = {}) {
  scaffolded.clear();
  workspace.setContent({
    'catalog-info.yaml': CATALOG_INFO,
    'app/main.py': 'print("hi")\n',
  });
  const catalog = catalogServiceMock.mock({
    getLocationByRef: jest.fn().mockResolvedValue(undefined),
    addLocation: jest.fn().mockResolvedValue({ location: {}, entities: [] }),
    refreshEntity: jest.fn().mockResolvedValue(undefined),
    ...catalogImpl,
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
  const ctx = createMockActionContext({
    input: { name: 'fraud-features' },
    workspacePath: workspace.path,
  });
  const target = path.join(scaffolded.path, 'fraud-features');
  return { catalog, action, ctx, target };
}

describe('ml-platform:publish:local', () => {
  it('copies the repository and registers its catalog-info.yaml as the user', async () => {
    const { catalog, action, ctx, target } = setup();

    await action.handler(ctx as any);

    expect(fs.readFileSync(path.join(target, 'app/main.py'), 'utf8')).toBe(
      'print("hi")\n',
    );
    const catalogInfoPath = path.join(target, 'catalog-info.yaml');
    expect(catalog.addLocation).toHaveBeenCalledWith(
      { type: 'file', target: catalogInfoPath },
      { credentials: await ctx.getInitiatorCredentials() },
    );
    expect(catalog.refreshEntity).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', target);
    expect(ctx.output).toHaveBeenCalledWith('catalogInfoPath', catalogInfoPath);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/fraud-features',
    );
  });

  it('refreshes the entity when the location is already registered', async () => {
    const { catalog, action, ctx } = setup({
      getLocationByRef: jest.fn().mockResolvedValue({ id: 'l1' }),
    });

    await action.handler(ctx as any);

    expect(catalog.addLocation).not.toHaveBeenCalled();
    expect(catalog.refreshEntity).toHaveBeenCalledWith(
      'component:default/fraud-features',
      { credentials: await ctx.getInitiatorCredentials() },
    );
  });

  it('refreshes when another run registered the location in between', async () => {
    const { catalog, action, ctx } = setup({
      addLocation: jest.fn().mockRejectedValue(new ConflictError('exists')),
    });

    await action.handler(ctx as any);

    expect(catalog.refreshEntity).toHaveBeenCalled();
  });

  it('writes and registers nothing in a dry run, and says where it would', async () => {
    const { catalog, action, ctx, target } = setup();

    await action.handler(dryRun(ctx) as any);

    expect(fs.existsSync(target)).toBe(false);
    expect(catalog.getLocationByRef).not.toHaveBeenCalled();
    expect(catalog.addLocation).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', target);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/fraud-features',
    );
  });

  it('refuses to overwrite a service published before under the same name', async () => {
    const { catalog, action, ctx, target } = setup();
    fs.mkdirSync(target, { recursive: true });

    await expect(action.handler(ctx as any)).rejects.toThrow(
      `${target} already exists: choose another name`,
    );
    expect(catalog.addLocation).not.toHaveBeenCalled();
  });

  it('refuses when the company publishes to an SCM', async () => {
    const { ctx } = setup();
    const action = createPublishLocalAction({
      catalog: catalogServiceMock.mock(),
      config: new ConfigReader({
        mlPlatform: {
          scaffolder: { publish: { provider: 'github', owner: 'acme' } },
        },
      }),
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'mlPlatform.scaffolder.publish.provider is github, not local: publish with publish:github',
    );
  });

  it('refuses a repository without catalog-info.yaml', async () => {
    const { action, ctx } = setup();
    workspace.setContent({ 'README.md': '# x' });
    await expect(action.handler(dryRun(ctx) as any)).rejects.toThrow(
      'The new repository has no catalog-info.yaml at its root',
    );
  });
});
