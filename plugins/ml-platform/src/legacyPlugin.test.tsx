import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Route, Routes } from 'react-router-dom';
import {
  EntityMlModelContent,
  MlPlatformClient,
  MlPlatformModelsPage,
  isMlModelEntity,
  mlPlatformApiRef,
} from './legacy';

// Apps on the legacy frontend system mount the same views through these exports.
describe('legacy frontend exports', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const api = new MlPlatformClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage.test' }),
    fetchApi: { fetch: (...args) => fetch(...args) },
  });

  const model = {
    registryId: 'mlflow',
    name: 'fraud-detector',
    aliases: { champion: '5' },
    tags: {},
    latestVersion: '6',
    deployments: [],
  };
  const registries = [{ id: 'mlflow', type: 'mlflow', ok: true }];

  beforeEach(() => {
    server.use(
      http.get('http://backstage.test/api/ml-platform/models', () =>
        HttpResponse.json({
          items: [model],
          totalCount: 1,
          registries,
          clusters: [],
        }),
      ),
      http.get(
        'http://backstage.test/api/ml-platform/models/fraud-detector',
        () =>
          HttpResponse.json({
            model,
            versions: [],
            deployments: [],
            registries,
            clusters: [],
          }),
      ),
    );
  });

  it('renders the Models page with its own page header', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[mlPlatformApiRef, api]]}>
        <Routes>
          <Route path="/ml-platform" element={<MlPlatformModelsPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/ml-platform'] },
    );
    expect(
      await screen.findByRole('heading', { name: 'Models' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
    expect(screen.getByText('champion → v5')).toBeInTheDocument();
  });

  it('renders the model tab for a model entity', async () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'fraud-scorer',
        annotations: { 'ml-platform.io/registered-model': 'fraud-detector' },
      },
      spec: {},
    };
    expect(isMlModelEntity(entity)).toBe(true);
    expect(isMlModelEntity({ ...entity, metadata: { name: 'web' } })).toBe(
      false,
    );
    await renderInTestApp(
      <TestApiProvider apis={[[mlPlatformApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntityMlModelContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
    expect(screen.getByText('v6')).toBeInTheDocument();
  });
});
