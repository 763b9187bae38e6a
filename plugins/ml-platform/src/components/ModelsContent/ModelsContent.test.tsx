import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { coreApis } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ModelListResponse } from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApi, modelsPage } from '../../plugin';
import {
  churnPredictor,
  fraudDetector,
  listResponse,
  modelEntities,
  productRanker,
} from './__fixtures__/models';

describe('Models page', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  /** The table's requests; the filter options' sample page is left out. */
  let requests: URLSearchParams[];
  const serve = (answer: (query: URLSearchParams) => ModelListResponse) => {
    requests = [];
    server.use(
      http.get('*/api/ml-platform/models', ({ request }) => {
        const query = new URL(request.url).searchParams;
        if (query.get('limit') !== '500') {
          requests.push(query);
        }
        return HttpResponse.json(answer(query));
      }),
    );
  };
  const lastRequest = () => Object.fromEntries(requests[requests.length - 1]);

  const render = (url = '/ml-platform') =>
    renderTestApp({
      extensions: [mlPlatformApi, modelsPage],
      apis: [catalogApiMock({ entities: modelEntities })],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: [url],
    });
  const currentQuery = (apis: ReturnType<typeof render>['apis']) =>
    Object.fromEntries(
      new URLSearchParams(
        apis.get(coreApis.appHistory)!.getSnapshot().location.search,
      ),
    );

  it("shows each model with owner, versions, traffic, safety and lead time, linked to its catalog page's model tab", async () => {
    serve(() => listResponse([churnPredictor, fraudDetector, productRanker]));
    render();

    const fraudLink = await screen.findByRole('link', {
      name: /fraud-detector/,
    });
    expect(fraudLink).toHaveAttribute(
      'href',
      '/catalog/default/component/fraud-scorer/model',
    );
    expect(
      await screen.findByRole('link', { name: /product-ranker/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/product-ranker/model');
    // No entity names churn-predictor: its name is shown without a link.
    expect(screen.getByText('churn-predictor')).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /churn-predictor/ }),
    ).not.toBeInTheDocument();

    const row = fraudLink.closest('[role="row"]') as HTMLElement;
    expect(within(row).getByText('fraud-ml')).toBeInTheDocument();
    expect(within(row).getByText('latest v6')).toBeInTheDocument();
    expect(within(row).getByText('champion → v5')).toBeInTheDocument();
    expect(within(row).getByText('challenger → v6')).toBeInTheDocument();
    expect(
      within(row).getByRole('img', {
        name: 'traffic: v5 90%, v6 10% in prod / ml-prod',
      }),
    ).toBeInTheDocument();
    expect(
      within(row).getByRole('img', {
        name: 'Serialization unsafe: The sklearn flavor of v5 loads a pickle file.',
      }),
    ).toBeInTheDocument();
    expect(within(row).getByText('3 h 20 min')).toBeInTheDocument();
    expect(within(row).getByText('over 4 versions')).toBeInTheDocument();
    expect(within(row).getByText('canary, 2 h ago')).toBeInTheDocument();
    expect(within(row).getByText('prod / ml-prod by ada')).toBeInTheDocument();

    const rankerRow = screen
      .getByRole('link', { name: /product-ranker/ })
      .closest('[role="row"]') as HTMLElement;
    expect(within(rankerRow).getByText('not deployed')).toBeInTheDocument();
    expect(
      within(rankerRow).getByText('no version served yet'),
    ).toBeInTheDocument();
    expect(
      within(rankerRow).getByText('none from the portal'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('columnheader', { name: 'Lead time (median)' }),
    ).toBeInTheDocument();
  });

  it('asks the backend for one page of the filters the URL holds', async () => {
    serve(() => ({
      ...listResponse([fraudDetector]),
      totalCount: 60,
    }));
    render(
      '/ml-platform?search=fraud&owner=fraud-ml&alias=champion&cluster=prod&safety=unsafe&deployed=true&offset=25&pageSize=25',
    );

    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
    expect(lastRequest()).toEqual({
      search: 'fraud',
      owner: 'fraud-ml',
      alias: 'champion',
      cluster: 'prod',
      safety: 'unsafe',
      deployed: 'true',
      offset: '25',
      limit: '25',
    });
    expect(
      screen.getByRole('searchbox', { name: 'Search models' }),
    ).toHaveValue('fraud');
    expect(
      screen.getByRole('button', { name: /unsafe.*Safety|Safety.*unsafe/ }),
    ).toBeInTheDocument();
  });

  it('writes a chosen filter into the URL and asks the backend for it', async () => {
    serve(query =>
      listResponse(
        query.get('safety') === 'unsafe'
          ? [fraudDetector]
          : [fraudDetector, productRanker],
      ),
    );
    const { apis } = render('/ml-platform?owner=fraud-ml');
    expect(await screen.findByText('product-ranker')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /Safety/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'unsafe' }),
    );

    await waitFor(() =>
      expect(screen.queryByText('product-ranker')).not.toBeInTheDocument(),
    );
    expect(lastRequest()).toMatchObject({
      owner: 'fraud-ml',
      safety: 'unsafe',
    });
    expect(currentQuery(apis)).toMatchObject({
      owner: 'fraud-ml',
      safety: 'unsafe',
    });
  });

  it('searches once the user stops typing, not on every key', async () => {
    serve(query =>
      listResponse(
        query.get('search') === 'ranker' ? [productRanker] : [fraudDetector],
      ),
    );
    const { apis } = render();
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
    const before = requests.length;

    // Every key before the pause, with no time between them (however slow
    // the machine runs the test): the debounce alone decides what is sent.
    const box = screen.getByRole('searchbox', { name: 'Search models' });
    for (let n = 1; n <= 'ranker'.length; n++) {
      fireEvent.change(box, { target: { value: 'ranker'.slice(0, n) } });
    }

    expect(await screen.findByText('product-ranker')).toBeInTheDocument();
    expect(requests.length - before).toBe(1);
    expect(lastRequest()).toMatchObject({ search: 'ranker' });
    expect(currentQuery(apis)).toMatchObject({ search: 'ranker' });
  });

  it('pages through the backend and keeps the page in the URL', async () => {
    serve(query =>
      listResponse(
        query.get('offset') === '25' ? [productRanker] : [fraudDetector],
        {
          totalCount: 30,
        },
      ),
    );
    const { apis } = render('/ml-platform?pageSize=25');
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: /next/i }));

    expect(await screen.findByText('product-ranker')).toBeInTheDocument();
    expect(lastRequest()).toMatchObject({ offset: '25', limit: '25' });
    expect(currentQuery(apis)).toMatchObject({ offset: '25', pageSize: '25' });
  });

  it('says when no model matches, and clears the filters on request', async () => {
    serve(query =>
      listResponse(query.get('alias') ? [] : [fraudDetector, productRanker]),
    );
    const { apis } = render('/ml-platform?alias=shadow');
    expect(
      await screen.findByText('No models match these filters'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );

    expect(await screen.findByText('product-ranker')).toBeInTheDocument();
    expect(lastRequest()).not.toHaveProperty('alias');
    expect(currentQuery(apis)).toEqual({});
  });

  it('says there are no models yet when the registries hold none', async () => {
    serve(() => listResponse([]));
    render();
    expect(await screen.findByText('No models yet')).toBeInTheDocument();
    expect(
      screen.getByText(/The configured registries hold no registered models/),
    ).toBeInTheDocument();
  });

  it('names the unreachable cluster instead of showing its models as undeployed', async () => {
    serve(() =>
      listResponse([fraudDetector], {
        clusters: [
          { name: 'prod', ok: true },
          { name: 'staging', ok: true },
          { name: 'prod-eu', ok: false, error: 'connect ECONNREFUSED' },
        ],
      }),
    );
    render();
    expect(
      await screen.findByText(
        /cluster prod-eu unreachable: showing 2 of 3 clusters/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/connect ECONNREFUSED/)).toBeInTheDocument();
    expect(screen.getByText('fraud-detector')).toBeInTheDocument();
  });

  it('tells what to do when the backend refuses, and retries', async () => {
    let refuse = true;
    server.use(
      http.get('*/api/ml-platform/models', () =>
        refuse
          ? HttpResponse.json(
              {
                error: {
                  name: 'NotAllowedError',
                  message: 'Not allowed: ml-platform.model.read',
                },
                request: { method: 'GET', url: '/api/ml-platform/models' },
                response: { statusCode: 403 },
              },
              { status: 403 },
            )
          : HttpResponse.json(listResponse([fraudDetector])),
      ),
    );
    render();
    expect(
      await screen.findByText(
        /Could not load the models: Not allowed: ml-platform.model.read/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Ask the Backstage admins to grant it/),
    ).toBeInTheDocument();

    refuse = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('fraud-detector')).toBeInTheDocument();
  });
});
