import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ModelListResponse } from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApi, modelEntityContent, modelsPage } from './plugin';

const models: ModelListResponse = {
  items: [
    {
      registryId: 'mlflow',
      name: 'fraud-detector',
      description: 'Scores card transactions',
      aliases: { champion: '5', challenger: '6' },
      tags: {},
      latestVersion: '6',
      deployments: [],
    },
    {
      registryId: 'mlflow',
      name: 'product-ranker',
      aliases: {},
      tags: {},
      latestVersion: '4',
      deployments: [],
    },
  ],
  totalCount: 2,
  registries: [{ id: 'mlflow', type: 'mlflow', ok: true }],
  clusters: [],
};

const modelEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-scorer',
    annotations: { 'ml-platform.io/registered-model': 'fraud-detector' },
  },
  spec: { type: 'model-service', owner: 'fraud-ml', lifecycle: 'production' },
};

describe('ML Platform frontend plugin', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const serveModels = (body: ModelListResponse) =>
    server.use(
      http.get('*/api/ml-platform/models', () => HttpResponse.json(body)),
    );

  describe('Models page', () => {
    it('lists the models the backend returns, with aliases', async () => {
      serveModels(models);
      renderTestApp({
        extensions: [mlPlatformApi, modelsPage],
        initialRouteEntries: ['/ml-platform'],
      });
      expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
      expect(screen.getByText('product-ranker')).toBeInTheDocument();
      expect(screen.getByText('champion → v5')).toBeInTheDocument();
      expect(screen.getByText('challenger → v6')).toBeInTheDocument();
    });

    it('says there are no models yet when no registry is configured', async () => {
      serveModels({ items: [], totalCount: 0, registries: [], clusters: [] });
      renderTestApp({
        extensions: [mlPlatformApi, modelsPage],
        initialRouteEntries: ['/ml-platform'],
      });
      expect(await screen.findByText('No models yet')).toBeInTheDocument();
      expect(
        screen.getByText(/No model registry is configured/),
      ).toBeInTheDocument();
    });

    it('names an unreachable registry instead of silently showing fewer models', async () => {
      serveModels({
        ...models,
        registries: [
          { id: 'mlflow', type: 'mlflow', ok: true },
          { id: 'mlflow-eu', type: 'mlflow', ok: false, error: 'timed out' },
        ],
      });
      renderTestApp({
        extensions: [mlPlatformApi, modelsPage],
        initialRouteEntries: ['/ml-platform'],
      });
      expect(
        await screen.findByText(/Showing models of 1 of 2 registries/),
      ).toBeInTheDocument();
      expect(screen.getByText(/is unreachable: timed out/)).toBeInTheDocument();
      expect(screen.getByText('fraud-detector')).toBeInTheDocument();
    });

    it('shows the backend error when the request fails', async () => {
      server.use(
        http.get('*/api/ml-platform/models', () =>
          HttpResponse.json(
            {
              error: {
                name: 'NotAllowedError',
                message: 'Not allowed: ml-platform.model.read',
              },
            },
            { status: 403 },
          ),
        ),
      );
      renderTestApp({
        extensions: [mlPlatformApi, modelsPage],
        initialRouteEntries: ['/ml-platform'],
      });
      expect(
        await screen.findByText(/Not allowed: ml-platform.model.read/),
      ).toBeInTheDocument();
    });
  });

  describe('model entity tab', () => {
    it('appears on a model entity and shows its registered model', async () => {
      server.use(
        http.get('*/api/ml-platform/models/fraud-detector', () =>
          HttpResponse.json({
            model: models.items[0],
            versions: [],
            deployments: [],
            registries: models.registries,
            clusters: [],
          }),
        ),
      );
      renderTestApp({
        extensions: [
          createTestEntityPage({ entity: modelEntity }),
          mlPlatformApi,
          modelEntityContent,
        ],
      });
      expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
      expect(screen.getByText('v6')).toBeInTheDocument();
      expect(screen.queryByText('product-ranker')).not.toBeInTheDocument();
    });

    it('says which model is missing when no registry has it', async () => {
      server.use(
        http.get('*/api/ml-platform/models/fraud-detector', () =>
          HttpResponse.json(
            {
              error: {
                name: 'NotFoundError',
                message: "No registered model named 'fraud-detector'",
              },
            },
            { status: 404 },
          ),
        ),
      );
      renderTestApp({
        extensions: [
          createTestEntityPage({ entity: modelEntity }),
          mlPlatformApi,
          modelEntityContent,
        ],
      });
      expect(
        await screen.findByText('Model fraud-detector not found'),
      ).toBeInTheDocument();
    });

    it('does not appear on entities without a registered model', async () => {
      serveModels(models);
      const service: Entity = {
        ...modelEntity,
        metadata: { name: 'checkout' },
      };
      renderTestApp({
        extensions: [
          createTestEntityPage({ entity: service }),
          mlPlatformApi,
          modelEntityContent,
        ],
      });
      expect(
        await screen.findByTestId('empty-entity-page'),
      ).toBeInTheDocument();
      expect(screen.queryByText('fraud-detector')).not.toBeInTheDocument();
    });
  });
});
