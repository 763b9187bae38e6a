import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import {
  mockApis,
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { ModelDetailsResponse } from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApi, modelEntityContent } from '../../plugin';
import { fraudDetector } from './__fixtures__/fraudDetector';

const fraudScorer: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-scorer',
    namespace: 'default',
    title: 'Fraud scorer',
    annotations: {
      'ml-platform.io/registered-model': 'fraud-detector',
      'backstage.io/kubernetes-id': 'fraud-scorer',
    },
  },
  spec: { type: 'model-service', owner: 'group:fraud-ml' },
  relations: [
    { type: 'dependsOn', targetRef: 'component:default/transaction-features' },
    { type: 'dependencyOf', targetRef: 'component:default/risk-decision' },
    { type: 'providesApi', targetRef: 'api:default/fraud-score-api' },
  ],
};

const related: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'transaction-features',
      namespace: 'default',
      title: 'Transaction features',
      tags: ['preprocessing', 'fastapi'],
    },
    spec: { type: 'processing-service' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'risk-decision',
      namespace: 'default',
      title: 'Risk decision',
      tags: ['postprocessing'],
    },
    spec: { type: 'processing-service' },
  },
];

describe('model entity page', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  beforeEach(() =>
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector/rollouts', () =>
        HttpResponse.json({ items: [] }),
      ),
    ),
  );

  const serve = (body: ModelDetailsResponse) =>
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(body),
      ),
    );

  const renderPage = (entity: Entity = fraudScorer) =>
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity }),
        mlPlatformApi,
        modelEntityContent,
      ],
      apis: [
        catalogApiMock({ entities: [entity, ...related] }),
        mockApis.permission(),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

  it('sums up the model: owner, aliases, safety of what serves, median lead time', async () => {
    serve(fraudDetector);
    renderPage();
    expect(
      await screen.findByRole('heading', { name: 'fraud-detector' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('champion → v5, challenger → v6'),
    ).toBeInTheDocument();
    expect(screen.getByText('2 d over 3 versions')).toBeInTheDocument();
    expect(
      screen.getAllByRole('img', {
        name: 'Serialization safe: ONNX models load without unpickling.',
      }).length,
    ).toBeGreaterThan(0);
    for (const heading of [
      'Versions',
      'Deployments',
      'Deployment lead time',
      'Inference chain',
    ]) {
      expect(
        screen.getByRole('heading', { name: heading }),
      ).toBeInTheDocument();
    }
  });

  it('draws the versions timeline with aliases and the traffic each serving version takes', async () => {
    serve(fraudDetector);
    renderPage();
    const timeline = await screen.findByRole('img', {
      name: /^Versions timeline/,
    });
    expect(timeline).toHaveAccessibleName(
      'Versions timeline: 4 versions registered 2026-10-10 to 2026-10-19; ' +
        'champion on v5, challenger on v6; ' +
        'serving: v5 (90% in local/ml-prod), v6 (10% in local/ml-prod, 100% in local/ml-staging)',
    );
    // Keyboard users walk the marks; the caption says what the focused one is.
    await userEvent.click(timeline);
    await userEvent.keyboard('{End}');
    expect(
      screen.getByText(
        'v6 · registered 2026-10-19 · aliases challenger · 10% in local/ml-prod, 100% in local/ml-staging · READY',
      ),
    ).toBeInTheDocument();
    await userEvent.keyboard('{Home}');
    expect(
      screen.getByText('v3 · registered 2026-10-10 · not serving · READY'),
    ).toBeInTheDocument();
  });

  it('lists every version with status, metrics and params on demand', async () => {
    serve(fraudDetector);
    renderPage();
    const row = (await screen.findByRole('rowheader', { name: /^v6/ })).closest(
      'tr',
    )!;
    expect(within(row).getByText('challenger')).toBeInTheDocument();
    expect(within(row).getByText('READY')).toBeInTheDocument();
    expect(within(row).getByText('0.96')).toBeInTheDocument();
    await userEvent.click(
      within(row).getByRole('button', { name: /Parameters \(2\)/ }),
    );
    expect(within(row).getByText('10')).toBeVisible();
  });

  it('links each version to its MLflow run, ZenML run and lakeFS commit', async () => {
    serve(fraudDetector);
    renderPage();
    const run = await screen.findByRole('link', { name: /^MLflow run of v6/ });
    expect(run).toHaveAttribute(
      'href',
      'http://mlflow.test/#/experiments/1/runs/run6',
    );
    expect(run).toHaveAttribute('target', '_blank');
    expect(
      screen.getByRole('link', { name: /^ZenML run of v6/ }),
    ).toHaveAttribute('href', 'http://zenml.test/projects/default/runs/zen-6');
    expect(
      screen.getByRole('link', { name: /^lakeFS commit of v6/ }),
    ).toHaveAttribute(
      'href',
      'http://lakefs.test/repositories/training-data/commits/c0ffee6abcdef0123456789',
    );
    expect(
      screen.getByRole('link', { name: /^MLflow version of v5/ }),
    ).toHaveAttribute(
      'href',
      'http://mlflow.test/#/models/fraud-detector/versions/5',
    );
  });

  it('keeps the ids of lineage it could not check, and says which tool did not answer', async () => {
    serve(fraudDetector);
    renderPage();
    const row = (await screen.findByRole('rowheader', { name: /^v4/ })).closest(
      'tr',
    )!;
    expect(
      within(row).queryByRole('link', { name: /ZenML run/ }),
    ).not.toBeInTheDocument();
    expect(within(row).getByText('zen-4')).toBeInTheDocument();
    expect(
      within(row).getByText(/ZenML could not be reached.*ECONNREFUSED/),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('training-data@deadbeef4abc'),
    ).toBeInTheDocument();
    expect(
      within(row).getByText(/lakeFS could not be reached.*timed out/),
    ).toBeInTheDocument();
  });

  it('shows each version’s safety verdict, and why a verdict is missing', async () => {
    serve(fraudDetector);
    renderPage();
    const v4 = (await screen.findByRole('rowheader', { name: /^v4/ })).closest(
      'tr',
    )!;
    expect(
      within(v4).getByRole('img', {
        name: /^Serialization unsafe: sklearn model serialized with cloudpickle/,
      }),
    ).toBeInTheDocument();
    // The files and imports behind it.
    const deciding = within(v4).getByRole('list', {
      name: 'Files that decided the verdict',
    });
    expect(deciding).toHaveTextContent(
      'model.pkl · pickle · unsafe · 2.0 KiB: Unpickling it runs posix.system (dangerous).',
    );
    expect(
      within(deciding).getByRole('list', { name: 'Imports of model.pkl' }),
    ).toHaveTextContent('posix.system dangerous');
    expect(
      within(v4).getByText(/From the files' bytes: 2 files, 2.0 KiB read/),
    ).toBeInTheDocument();
    expect(within(v4).getByText('1 file of data only')).toBeInTheDocument();
    const v3 = screen.getByRole('rowheader', { name: /^v3/ }).closest('tr')!;
    expect(
      within(v3).getByRole('img', { name: /^Serialization unknown/ }),
    ).toBeInTheDocument();
    expect(
      within(v3).getByText(
        /Could not check how this version loads: MLmodel of version 3 could not be read/,
      ),
    ).toBeInTheDocument();
  });

  it('says a reason several versions share once, under the table, and the others on their rows', async () => {
    const unsafe = fraudDetector.versions.find(v => v.version === '4')!.safety!;
    const reason =
      "Loading runs code the model's author chose: model.pkl: Unpickling it runs posix.system (dangerous). Re-log the model in a format that loads without running code.";
    serve({
      ...fraudDetector,
      versions: fraudDetector.versions.map(v =>
        v.version === '6' || v.version === '4'
          ? { ...v, safety: { ...unsafe, reason } }
          : v,
      ),
    });
    renderPage();
    const notes = await screen.findByRole('list', {
      name: 'Serialization verdicts of several versions',
    });
    expect(
      within(notes)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([`v6, v4: ${reason}`]);
    const row = (name: RegExp) =>
      screen.getByRole('rowheader', { name }).closest('tr')!;
    for (const v of [/^v6/, /^v4/]) {
      expect(
        within(row(v)).getByText('Why: note 1 under the table'),
      ).toBeInTheDocument();
      expect(within(row(v)).queryByText(reason)).not.toBeInTheDocument();
      // Hovering or a screen reader still gets the whole reason on the row.
      expect(
        within(row(v)).getByRole('img', {
          name: `Serialization unsafe: ${reason}`,
        }),
      ).toBeInTheDocument();
    }
    // Only v5 says this one: on its row.
    expect(
      within(row(/^v5/)).getByText('ONNX models load without unpickling.'),
    ).toBeInTheDocument();
  });

  it('shows each deployment with its router, replica health, traffic split, rollout and Kubernetes link', async () => {
    serve(fraudDetector);
    renderPage();
    const prod = (
      await screen.findByRole('heading', { name: 'local / ml-prod' })
    ).closest('.bui-Card') as HTMLElement;
    expect(
      within(prod).getByText('HTTPRoute fraud-detector · managed by Argo CD'),
    ).toBeInTheDocument();
    expect(
      within(prod).getByRole('img', { name: /traffic:/ }),
    ).toHaveAccessibleName('traffic: v5 90%, v6 10%');
    const workloads = within(prod).getByRole('list', {
      name: 'Workloads in local / ml-prod',
    });
    expect(within(workloads).getByText('3/3 ready')).toHaveAttribute(
      'data-health',
      'success',
    );
    expect(within(workloads).getByText('1/2 ready')).toHaveAttribute(
      'data-health',
      'warning',
    );
    expect(
      within(prod).getByRole('link', { name: 'View pods in Kubernetes' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/fraud-scorer/kubernetes',
    );

    const staging = screen
      .getByRole('heading', { name: 'local / ml-staging' })
      .closest('.bui-Card') as HTMLElement;
    expect(
      within(staging).getByText(
        'Rollout Paused at step 1 of 4: CanaryPauseStep',
      ),
    ).toBeInTheDocument();
  });

  it('charts the lead time of each version, with versions never served and the median', async () => {
    serve(fraudDetector);
    renderPage();
    expect(
      await screen.findByRole('img', { name: /^Deployment lead time/ }),
    ).toHaveAccessibleName(
      'Deployment lead time, registration to first serving traffic: ' +
        'v3 not served yet, v4 5 d, v5 2 d, v6 1 d; median 2 d over 3 served versions',
    );
    expect(screen.getByText('median 2 d')).toBeInTheDocument();
  });

  it('draws the inference chain from the catalog, pre-processing → model → post-processing', async () => {
    serve(fraudDetector);
    renderPage();
    const chain = await screen.findByRole('list', { name: 'Inference chain' });
    // Titles come from the catalog, after the relations are drawn by name.
    expect(
      await within(chain).findByRole('link', { name: 'Transaction features' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/transaction-features',
    );
    const steps = within(chain).getAllByRole('listitem');
    expect(steps.map(s => s.textContent)).toEqual([
      'pre-processingTransaction features',
      'model serviceFraud scorerserves fraud-score-api',
      'post-processingRisk decision',
    ]);
    expect(
      within(chain).getByRole('link', { name: 'Risk decision' }),
    ).toHaveAttribute('href', '/catalog/default/component/risk-decision');
  });

  it('says how to relate processing services when the model has none', async () => {
    serve(fraudDetector);
    renderPage({ ...fraudScorer, relations: [] });
    expect(
      await screen.findByText(/No pre- or post-processing service is related/),
    ).toBeInTheDocument();
  });

  it('shows progress while the model loads', async () => {
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', async () => {
        await delay(200);
        return HttpResponse.json(fraudDetector);
      }),
    );
    renderPage();
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', { name: 'fraud-detector' }),
    ).toBeInTheDocument();
  });

  it('says how to fix a malformed model annotation', async () => {
    renderPage({
      ...fraudScorer,
      metadata: {
        ...fraudScorer.metadata,
        annotations: { 'ml-platform.io/registered-model': 'a/b/c' },
      },
    });
    expect(
      await screen.findByText(/This entity names its model the wrong way/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /expected '<model name>' or '<registry id>\/<model name>'/,
      ),
    ).toBeInTheDocument();
  });

  it('says which model is missing when no registry has it', async () => {
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'no such model' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    renderPage();
    expect(
      await screen.findByText('Model fraud-detector not found'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Check the ml-platform.io\/registered-model annotation/),
    ).toBeInTheDocument();
  });

  it('names the unreachable registry instead of saying the model is not found', async () => {
    const message =
      "Cannot tell whether registered model 'fraud-detector' exists: mlflow registry mlflow is unreachable: connect ECONNREFUSED 127.0.0.1:5000. Try again once the registry answers";
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(
          {
            error: { name: 'ServiceUnavailableError', message },
            response: { statusCode: 503 },
          },
          { status: 503 },
        ),
      ),
    );
    renderPage();
    expect(
      await screen.findByText(`Could not load the model: ${message}`, {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText(/does not answer/)).toBeInTheDocument();
    expect(
      screen.queryByText('Model fraud-detector not found'),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled();
  });

  it('shows the backend error when the request fails', async () => {
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'Not allowed: ml-platform.model.read',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    renderPage();
    expect(
      await screen.findByText(
        /Could not load the model: Not allowed: ml-platform.model.read/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/You lack the ml-platform.model.read permission/),
    ).toBeInTheDocument();
  });

  it('names an unreachable cluster instead of silently showing fewer deployments', async () => {
    serve({
      ...fraudDetector,
      deployments: fraudDetector.deployments.slice(0, 1),
      clusters: [
        { name: 'local', ok: true },
        { name: 'prod-us', ok: true },
        {
          name: 'prod-eu',
          ok: false,
          error: 'connect ETIMEDOUT 10.0.0.7:6443',
        },
      ],
    });
    renderPage();
    expect(
      await screen.findByText(
        /cluster prod-eu unreachable: showing 2 of 3 clusters/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/connect ETIMEDOUT 10.0.0.7:6443/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'local / ml-prod' }),
    ).toBeInTheDocument();
  });

  it('says how a version gets deployed when none is', async () => {
    serve({
      ...fraudDetector,
      model: { ...fraudDetector.model, deployments: [], leadTime: undefined },
      versions: fraudDetector.versions.map(v => ({
        ...v,
        leadTimeSeconds: undefined,
      })),
      deployments: [],
    });
    renderPage();
    expect(
      await screen.findByText('No version of fraud-detector is deployed'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /ml-platform.io\/model=fraud-detector and ml-platform.io\/model-version=<version>/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('no version served yet')).toBeInTheDocument();
    expect(
      screen.getByText(/No version has served traffic yet/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getByRole('img', { name: /^Versions timeline/ }),
      ).toHaveAccessibleName(/no version serves traffic$/),
    );
  });
});
