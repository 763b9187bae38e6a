import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { ToolsResponse } from '@mlplatform/plugin-ml-platform-common';
import {
  mlPlatformApi,
  mlToolEntityCard,
  modelsPage,
  toolsPage,
} from '../../plugin';

const tools: ToolsResponse = {
  tools: [
    {
      name: 'mlflow',
      type: 'mlflow',
      cluster: 'prod',
      namespace: 'ml-tools',
      url: 'http://127.0.0.1:5000',
      healthy: true,
      checkedAt: '2026-11-29T10:00:00Z',
    },
    {
      name: 'zenml',
      type: 'zenml',
      cluster: 'prod',
      namespace: 'ml-tools',
      url: 'http://127.0.0.1:8237',
      healthy: false,
      checkedAt: '2026-11-29T10:00:00Z',
      error: 'GET /health answered 502',
    },
    {
      name: 'lakefs',
      type: 'lakefs',
      cluster: 'prod',
      namespace: 'ml-tools',
      healthy: undefined,
      error: 'No ml-platform.io/url annotation on the Service',
    },
    {
      name: 'mlflow-eu',
      type: 'mlflow',
      url: 'https://mlflow.eu.example.com',
      healthy: true,
    },
  ],
  clusters: [{ name: 'prod', ok: true }],
};

const mlflowEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'mlflow',
    annotations: { 'ml-platform.io/tool': 'mlflow' },
  },
  spec: { type: 'service', owner: 'group:ml-platform' },
};

describe('ML tools', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const serveTools = (body: ToolsResponse) =>
    server.use(
      http.get('*/api/ml-platform/tools', () => HttpResponse.json(body)),
    );

  const renderPage = () =>
    renderTestApp({
      extensions: [mlPlatformApi, modelsPage, toolsPage],
      initialRouteEntries: ['/ml-tools'],
    });

  it('lights up only its own item in the sidebar, not the Models page too', async () => {
    serveTools(tools);
    renderPage();
    const nav = await screen.findByRole('navigation');
    expect(within(nav).getByRole('link', { name: 'ML tools' })).toHaveAttribute(
      'aria-current',
      'page',
    );
    expect(
      within(nav).getByRole('link', { name: 'Models' }),
    ).not.toHaveAttribute('aria-current');
  });

  it('lists every dashboard with its health, each linking to it', async () => {
    serveTools({
      ...tools,
      clusters: [
        { name: 'prod', ok: true },
        { name: 'prod-eu', ok: false, error: 'timed out' },
      ],
    });
    renderPage();

    const mlflow = await screen.findByRole('link', { name: 'mlflow' });
    expect(mlflow).toHaveAttribute('href', 'http://127.0.0.1:5000');
    const mlflowRow = mlflow.closest('tr') as HTMLElement;
    expect(within(mlflowRow).getByText('prod / ml-tools')).toBeInTheDocument();
    expect(
      within(mlflowRow).getByRole('img', { name: /^mlflow health: ok/ }),
    ).toBeInTheDocument();

    expect(
      screen.getByRole('img', {
        name: /^zenml health: down; GET \/health answered 502/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: /^lakefs health: not checked/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No ml-platform.io/url annotation on the Service'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'mlflow-eu' })).toHaveAttribute(
      'href',
      'https://mlflow.eu.example.com',
    );
    expect(screen.getByText('configured')).toBeInTheDocument();
    expect(
      screen.getByText(/cluster prod-eu unreachable: showing 1 of 2 clusters/),
    ).toBeInTheDocument();
    // The Models page at /ml-platform does not swallow its sub-path.
    expect(screen.queryByRole('searchbox')).not.toBeInTheDocument();
  });

  it('says how tools are found when there is none', async () => {
    serveTools({ tools: [], clusters: [{ name: 'prod', ok: true }] });
    renderPage();
    expect(await screen.findByText('No ML tools found')).toBeInTheDocument();
    expect(
      screen.getByText(/Label the Services of your MLflow, ZenML and lakeFS/),
    ).toBeInTheDocument();
  });

  it('tells what to do when the backend fails', async () => {
    server.use(
      http.get('*/api/ml-platform/tools', () =>
        HttpResponse.json(
          {
            error: { name: 'Error', message: 'watch cache not ready' },
            request: { method: 'GET', url: '/api/ml-platform/tools' },
            response: { statusCode: 500 },
          },
          { status: 500 },
        ),
      ),
    );
    renderPage();
    expect(
      await screen.findByText(
        /Could not load the ML tools: watch cache not ready/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Try again' }),
    ).toBeInTheDocument();
  });

  it('shows the instances of the tool an entity stands for on its page', async () => {
    serveTools(tools);
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: mlflowEntity }),
        mlPlatformApi,
        mlToolEntityCard,
      ],
    });
    expect(await screen.findByText('MLflow dashboards')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: 'mlflow' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'mlflow-eu' })).toBeInTheDocument();
    expect(screen.queryByText('zenml')).not.toBeInTheDocument();
  });

  it('says how to make a missing tool appear on its entity card', async () => {
    serveTools({ tools: [], clusters: [] });
    renderTestApp({
      extensions: [
        createTestEntityPage({
          entity: {
            ...mlflowEntity,
            metadata: {
              name: 'lakefs',
              annotations: { 'ml-platform.io/tool': 'lakefs' },
            },
          },
        }),
        mlPlatformApi,
        mlToolEntityCard,
      ],
    });
    expect(await screen.findByText(/No lakeFS found/)).toBeInTheDocument();
    expect(screen.getByText(/ml-platform.io\/tool=lakefs/)).toBeInTheDocument();
  });

  it('is not on entities that are no ML tool', async () => {
    serveTools(tools);
    renderTestApp({
      extensions: [
        createTestEntityPage({
          entity: { ...mlflowEntity, metadata: { name: 'checkout' } },
        }),
        mlPlatformApi,
        mlToolEntityCard,
      ],
    });
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(screen.queryByText(/dashboards/)).not.toBeInTheDocument();
  });
});
