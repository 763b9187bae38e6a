import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ModelDetailsResponse,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { fraudDetector } from '../ModelEntityContent/__fixtures__/fraudDetector';
import { fraudScorer, renderModelPage } from './__testUtils__/renderModelPage';
import { auditRecord, split } from './__testUtils__/rolloutRecords';

/** fraud-detector with its prod HTTPRoute at the given split. */
const withProdSplit = (
  percents: Record<string, number>,
  resourceVersion: string,
): ModelDetailsResponse => ({
  ...fraudDetector,
  deployments: fraudDetector.deployments.map((d, i) =>
    i === 0
      ? {
          ...d,
          router: { ...d.router!, resourceVersion },
          versions: d.versions.map(v => ({
            ...v,
            weight: percents[v.version],
            percent: percents[v.version],
          })),
        }
      : d,
  ),
});

const lastRollout = auditRecord('r2', {
  registryId: 'mlflow',
  router: { kind: 'HTTPRoute', name: 'fraud-detector' },
  strategy: 'promote',
  before: split({ '5': 100, '6': 0 }),
  after: split({ '5': 90, '6': 10 }),
  aliasChange: { alias: 'champion', from: '4', to: '5' },
});

describe('changing traffic from the model page', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let sent: RolloutRequest[];
  let model: ModelDetailsResponse;

  beforeEach(() => {
    sent = [];
    model = fraudDetector;
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(model),
      ),
      http.get('*/api/ml-platform/models/fraud-detector/rollouts', () =>
        HttpResponse.json({ items: [lastRollout] }),
      ),
      http.get('*/api/ml-platform/models/fraud-detector/rollouts/gradual', () =>
        HttpResponse.json({ items: [] }),
      ),
      http.post('*/api/ml-platform/rollouts', async ({ request }) => {
        sent.push((await request.json()) as RolloutRequest);
        return HttpResponse.json({
          auditId: 'r3',
          router: {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'HTTPRoute',
            name: 'fraud-detector',
          },
          before: split({ '5': 90, '6': 10 }),
          after: split({ '5': 80, '6': 20 }),
          resourceVersion: '813',
        });
      }),
    );
  });

  const openProdDialog = async () => {
    const [prodButton] = await screen.findAllByRole('button', {
      name: 'Change traffic',
    });
    await waitFor(() => expect(prodButton).toBeEnabled());
    await userEvent.click(prodButton);
    return screen.findByRole('dialog', {
      name: 'Change traffic of fraud-detector in local/ml-prod',
    });
  };

  const where = {
    model: 'fraud-detector',
    registryId: 'mlflow',
    cluster: 'local',
    namespace: 'ml-prod',
    expectedResourceVersion: '812',
  };

  it('runs a canary to 20 % with the resourceVersion the page showed, then shows the new split without reload', async () => {
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Canary' }),
    );
    const input = within(dialog).getByRole('spinbutton', {
      name: 'Percent for v6',
    });
    expect(input).toHaveValue(10);
    await userEvent.clear(input);
    await userEvent.type(input, '20');
    expect(
      within(dialog).getByRole('spinbutton', { name: 'Percent for v5' }),
    ).toHaveValue(80);

    const preview = within(dialog).getByRole('region', { name: 'Preview' });
    expect(preview).toHaveTextContent('Writes HTTPRoute fraud-detector');
    expect(preview).toHaveTextContent('managed by Argo CD');
    expect(
      within(preview)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['v5: 90% → 80%', 'v6: 10% → 20%']);

    model = withProdSplit({ '5': 80, '6': 20 }, '813');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(sent).toEqual([
      { ...where, strategy: 'canary', target: { version: '6', percent: 20 } },
    ]);
    expect(
      await screen.findByRole('img', { name: 'traffic: v5 80%, v6 20%' }),
    ).toBeInTheDocument();
  });

  it('sends an exact split for A/B 50/50 and for hand-set percents', async () => {
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'A/B 50/50' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      ...where,
      strategy: 'split',
      weights: { '5': 50, '6': 50 },
    });
  });

  it('previews the serving alias moving on promote and sends the promoted version', async () => {
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );
    const preview = within(dialog).getByRole('region', { name: 'Preview' });
    expect(preview).toHaveTextContent('Alias champion: v5 → v6');
    expect(
      within(preview)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['v5: 90% → 0%', 'v6: 10% → 100%']);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      ...where,
      strategy: 'promote',
      target: { version: '6' },
    });
  });

  it('previews a rollback from the audit trail: the split and alias before the latest rollout', async () => {
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );
    const preview = within(dialog).getByRole('region', { name: 'Preview' });
    await waitFor(() =>
      expect(
        within(preview)
          .getAllByRole('listitem')
          .map(li => li.textContent),
      ).toEqual(['v5: 90% → 100%', 'v6: 10% → 0%']),
    );
    expect(preview).toHaveTextContent('Alias champion: v5 → v4');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ ...where, strategy: 'rollback' });
  });

  it('marks unsafe versions in the picker with the reason', async () => {
    model = {
      ...fraudDetector,
      deployments: [
        {
          ...fraudDetector.deployments[0],
          versions: [
            ...fraudDetector.deployments[0].versions,
            { version: '4', percent: 0, weight: 0 },
          ],
        },
      ],
    };
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Canary' }),
    );
    const picker = within(dialog).getByRole('combobox', { name: 'Version' });
    // v4 takes no traffic yet, so it is the default candidate.
    expect(picker).toHaveDisplayValue(
      'v4 (unsafe: sklearn model serialized with cloudpickle: loading it runs pickle.)',
    );
    expect(dialog).toHaveTextContent(
      'Unsafe: sklearn model serialized with cloudpickle',
    );
  });

  it('shows the fresh split after a conflict and re-applies on top of it', async () => {
    let conflicts = 0;
    server.use(
      http.post('*/api/ml-platform/rollouts', async ({ request }) => {
        sent.push((await request.json()) as RolloutRequest);
        if (conflicts++ > 0) {
          return HttpResponse.json({ auditId: 'r4' });
        }
        return HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'HTTPRoute fraud-detector changed since 812',
            },
            current: split({ '5': 70, '6': 30 }),
            resourceVersion: '900',
          },
          { status: 409 },
        );
      }),
    );
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The traffic changed since you opened this: nothing was applied.',
    );
    expect(
      within(dialog).getByRole('img', {
        name: 'traffic: v5 70%, v6 30% in Now',
      }),
    ).toBeInTheDocument();
    expect(
      within(dialog)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual(['v5: 70% → 0%', 'v6: 30% → 100%']);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1].expectedResourceVersion).toBe('900');
  });

  it.each([
    [
      400,
      'InputError',
      'weights.9: version 9 is not on HTTPRoute fraud-detector',
    ],
    [
      403,
      'NotAllowedError',
      'HTTPRoute fraud-detector is managed by Argo CD; allow it with mlPlatform.rollouts.clusters[].allowGitOpsManaged',
    ],
  ])('shows the server message of a %s', async (status, name, message) => {
    server.use(
      http.post('*/api/ml-platform/rollouts', () =>
        HttpResponse.json(
          {
            error: { name, message },
            request: { method: 'POST', url: '/api/ml-platform/rollouts' },
            response: { statusCode: status },
          },
          { status },
        ),
      ),
    );
    renderModelPage();
    const dialog = await openProdDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Canary' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      new RegExp(`^${message.replace(/[.[\]]/g, '\\$&')}$`),
    );
    expect(dialog).toBeInTheDocument();
  });

  it('disables the control for a non-owner and says why', async () => {
    // usePermission caches answers per entity for the whole test file, so the
    // denied case asks about an entity no other test has shown.
    renderModelPage(AuthorizeResult.DENY, {
      ...fraudScorer,
      metadata: { ...fraudScorer.metadata, name: 'fraud-scorer-eu' },
    });
    const buttons = await screen.findAllByRole('button', {
      name: 'Change traffic',
    });
    await waitFor(() =>
      buttons.forEach(button => expect(button).toBeDisabled()),
    );
    await userEvent.hover(screen.getAllByTestId('change-traffic-reason')[0]);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only the owners of Fraud scorer can change its traffic',
    );
  });
});
