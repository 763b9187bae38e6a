import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/test-utils';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Route, Routes } from 'react-router-dom';
import {
  EntityMlModelContent,
  EntityMlToolCard,
  MlPlatformClient,
  MlPlatformModelsPage,
  MlPlatformToolsPage,
  isMlModelEntity,
  isMlToolEntity,
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
  const catalogApi = catalogApiMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'fraud-scorer',
          namespace: 'default',
          annotations: { 'ml-platform.io/registered-model': 'fraud-detector' },
        },
        spec: {},
      },
    ],
  });
  const tools = {
    tools: [
      {
        name: 'mlflow',
        type: 'mlflow',
        cluster: 'local',
        namespace: 'ml-tools',
        url: 'http://127.0.0.1:5000',
        healthy: true,
      },
      {
        name: 'zenml',
        type: 'zenml',
        cluster: 'local',
        namespace: 'ml-tools',
        url: 'http://127.0.0.1:8237',
        healthy: false,
        error: 'connection refused',
      },
    ],
    clusters: [{ name: 'local', ok: true }],
  };

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
      http.get('http://backstage.test/api/ml-platform/tools', () =>
        HttpResponse.json(tools),
      ),
      http.get(
        'http://backstage.test/api/ml-platform/models/fraud-detector/rollouts',
        () => HttpResponse.json({ items: [] }),
      ),
    );
  });

  it('renders the Models page with its own page header', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [mlPlatformApiRef, api],
          [catalogApiRef, catalogApi],
        ]}
      >
        <Routes>
          <Route path="/ml-platform" element={<MlPlatformModelsPage />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/ml-platform'],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(
      await screen.findByRole('heading', { name: 'Models' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'fraud-detector' }),
    ).toHaveAttribute('href', '/catalog/default/component/fraud-scorer/model');
    expect(screen.getByText('champion → v5')).toBeInTheDocument();
  });

  it('renders the ML tools page and the tool card', async () => {
    const mlflow = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'mlflow',
        annotations: { 'ml-platform.io/tool': 'mlflow' },
      },
      spec: {},
    };
    expect(isMlToolEntity(mlflow)).toBe(true);
    expect(isMlToolEntity({ ...mlflow, metadata: { name: 'web' } })).toBe(
      false,
    );
    await renderInTestApp(
      <TestApiProvider apis={[[mlPlatformApiRef, api]]}>
        <Routes>
          <Route path="/ml-tools" element={<MlPlatformToolsPage />} />
        </Routes>
        <EntityProvider entity={mlflow}>
          <EntityMlToolCard />
        </EntityProvider>
      </TestApiProvider>,
      { routeEntries: ['/ml-tools'] },
    );
    expect(
      await screen.findByRole('heading', { name: 'ML tools' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('MLflow dashboards')).toBeInTheDocument();
    // On the page and on the card.
    expect(await screen.findAllByRole('link', { name: 'mlflow' })).toHaveLength(
      2,
    );
    expect(
      screen.getByRole('img', {
        name: /^zenml health: down; connection refused/,
      }),
    ).toBeInTheDocument();
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
      <TestApiProvider
        apis={[
          [mlPlatformApiRef, api],
          [catalogApiRef, catalogApi],
        ]}
      >
        <EntityProvider entity={entity}>
          <EntityMlModelContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
    expect(screen.getByText('v6')).toBeInTheDocument();
  });
});
