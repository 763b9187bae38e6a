import path from 'node:path';
import {
  createBackendPlugin,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogServiceRef,
  type CatalogService,
} from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import catalogModuleMlPlatform from '@mlplatform/plugin-catalog-backend-module-ml-platform';
import { registerFileLocation } from '../publish/registerFileLocation';
import { createPublishLocalAction } from './publishLocal';

/*
 * The action against the real catalog backend with the ML Platform catalog
 * module, which lets users register `file` locations only when the
 * scaffolder publishes locally: the new service becomes an entity.
 */

jest.setTimeout(60_000);

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: fraud-scorer
  annotations:
    ml-platform.io/registered-model: fraud-detector
spec:
  type: model-service
  lifecycle: experimental
  owner: group:default/fraud-ml
`;

const scaffolded = createMockDirectory();
const workspace = createMockDirectory();

/** A plugin of the test that hands out the catalog service of the backend. */
async function startCatalog(provider: 'local' | 'github') {
  let catalog: CatalogService | undefined;
  const publish =
    provider === 'local'
      ? { provider, directory: scaffolded.path }
      : { provider, owner: 'acme' };
  const data = { mlPlatform: { scaffolder: { publish } } };
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlPlatform,
      mockServices.rootConfig.factory({ data }),
      createBackendPlugin({
        pluginId: 'probe',
        register({ registerInit }) {
          registerInit({
            deps: { catalogService: catalogServiceRef },
            async init({ catalogService }) {
              catalog = catalogService;
            },
          });
        },
      }),
    ],
  });
  return { backend, catalog: catalog!, config: new ConfigReader(data) };
}

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error('gave up waiting');
}

describe('ml-platform:publish:local with the real catalog', () => {
  const credentials: BackstageCredentials = mockCredentials.user();

  beforeEach(() => {
    scaffolded.clear();
    workspace.setContent({ 'catalog-info.yaml': CATALOG_INFO });
  });

  it('publishes a new service that the catalog then lists, and a re-run refreshes it', async () => {
    const { backend, catalog, config } = await startCatalog('local');
    const action = createPublishLocalAction({ config, catalog });
    const ctx = createMockActionContext({
      input: { name: 'fraud-scorer' },
      workspacePath: workspace.path,
    });

    await action.handler(ctx as any);

    const entity = await eventually(() =>
      catalog.getEntityByRef('component:default/fraud-scorer', {
        credentials,
      }),
    );
    expect(entity.spec?.type).toBe('model-service');
    const target = path.join(
      scaffolded.path,
      'fraud-scorer',
      'catalog-info.yaml',
    );
    expect(
      entity.metadata.annotations?.['backstage.io/managed-by-location'],
    ).toBe(`file:${target}`);

    // The same location again, e.g. a retried task: no conflict.
    await expect(
      registerFileLocation({
        catalog,
        credentials,
        target,
        entityRef: 'component:default/fraud-scorer',
      }),
    ).resolves.toBe('refreshed');
    await backend.stop();
  });

  it('cannot register a file location when the scaffolder publishes to an SCM', async () => {
    const { backend, catalog } = await startCatalog('github');
    const target = path.join(workspace.path, 'catalog-info.yaml');
    await expect(
      registerFileLocation({
        catalog,
        credentials,
        target,
        entityRef: 'component:default/fraud-scorer',
      }),
    ).rejects.toThrow(
      `The catalog refused to register ${target}: Registered locations must be of an allowed type ["url"]`,
    );
    await backend.stop();
  });
});
