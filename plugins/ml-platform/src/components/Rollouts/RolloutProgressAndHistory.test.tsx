import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { GradualRollout } from '@mlplatform/plugin-ml-platform-common';
import { fraudDetector } from '../ModelEntityContent/__fixtures__/fraudDetector';
import { renderModelPage } from './__testUtils__/renderModelPage';
import { auditRecord, split } from './__testUtils__/rolloutRecords';

describe('rollout progress and history on the model page', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const serveModel = () =>
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () =>
        HttpResponse.json(fraudDetector),
      ),
    );

  it('lists the rollouts newest first with who, where, before → after, result, error and alias, and pages back', async () => {
    const cursors: Array<string | null> = [];
    serveModel();
    server.use(
      http.get(
        '*/api/ml-platform/models/fraud-detector/rollouts',
        ({ request }) => {
          const before = new URL(request.url).searchParams.get('before');
          cursors.push(before);
          return HttpResponse.json(
            before
              ? { items: [auditRecord('r1', { strategy: 'split' })] }
              : {
                  items: [
                    auditRecord('r3', {
                      strategy: 'promote',
                      result: 'refused',
                      actor: 'user:default/bob',
                      after: undefined,
                      error:
                        'Only the owners of fraud-scorer can change its traffic',
                    }),
                    auditRecord('r2', {
                      strategy: 'promote',
                      before: split({ '5': 80, '6': 20 }),
                      after: split({ '5': 0, '6': 100 }),
                      aliasChange: { alias: 'champion', from: '5', to: '6' },
                    }),
                  ],
                  nextCursor: 'c2',
                },
          );
        },
      ),
    );
    renderModelPage();
    expect(
      await screen.findByRole('heading', { name: 'Rollout history' }),
    ).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Rollout history' });
    const rows = () => within(table).getAllByRole('row').slice(1);
    expect(rows()).toHaveLength(2);
    const [refused, promoted] = rows().map(r =>
      within(r)
        .getAllByRole('cell')
        .map(c => c.textContent),
    );
    expect(refused.slice(1)).toEqual([
      'bob',
      'local/ml-prod',
      'promote',
      'v5 90%, v6 10% → unknown',
      'refused',
      'Only the owners of fraud-scorer can change its traffic',
    ]);
    expect(promoted.slice(1)).toEqual([
      'ana',
      'local/ml-prod',
      'promote',
      // The two small bars after the text have no text of their own.
      expect.stringMatching(/^v5 80%, v6 20% → v6 100%/),
      'succeeded',
      'Alias champion: v5 → v6',
    ]);

    await userEvent.click(
      screen.getByRole('button', { name: 'Older rollouts' }),
    );
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(cursors).toEqual([null, 'c2']);
    expect(
      screen.queryByRole('button', { name: 'Older rollouts' }),
    ).not.toBeInTheDocument();
  });

  it('says so when there is no history, and shows the reason when it cannot be read', async () => {
    serveModel();
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector/rollouts', () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    const { unmount } = renderModelPage();
    expect(
      await screen.findByText(/No rollouts of fraud-detector yet/),
    ).toBeInTheDocument();
    unmount();

    server.use(
      http.get('*/api/ml-platform/models/fraud-detector/rollouts', () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'Unauthorized' },
            request: { method: 'GET', url: '/' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    renderModelPage();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the rollout history: Unauthorized Reading it takes the ml-platform.audit.read permission.',
    );
  });

  it('starts a gradual rollout, follows it every 2 s, and pauses it', async () => {
    const now = '2026-11-29T12:00:00Z';
    let rollout: GradualRollout | undefined;
    let polls = 0;
    let modelReads = 0;
    let started: unknown;
    server.use(
      http.get('*/api/ml-platform/models/fraud-detector', () => {
        modelReads++;
        return HttpResponse.json(fraudDetector);
      }),
      http.get('*/api/ml-platform/models/fraud-detector/rollouts', () =>
        HttpResponse.json({ items: [] }),
      ),
      http.get('*/api/ml-platform/models/fraud-detector/rollouts/gradual', () =>
        HttpResponse.json({ items: [] }),
      ),
      http.post('*/api/ml-platform/rollouts/gradual', async ({ request }) => {
        started = await request.json();
        rollout = {
          id: 'g1',
          model: 'fraud-detector',
          cluster: 'local',
          namespace: 'ml-prod',
          targetVersion: '6',
          steps: (started as GradualRollout).steps,
          currentStep: 0,
          state: 'running',
          createdBy: 'user:default/ana',
          createdAt: now,
          updatedAt: now,
          nextStepAt: now,
        };
        return HttpResponse.json(rollout, { status: 201 });
      }),
      http.get('*/api/ml-platform/rollouts/gradual/g1', () => {
        polls++;
        // The backend applied the next step meanwhile.
        rollout = { ...rollout!, currentStep: 1 };
        return HttpResponse.json(rollout);
      }),
      http.post('*/api/ml-platform/rollouts/gradual/g1/pause', () => {
        rollout = { ...rollout!, state: 'paused', nextStepAt: undefined };
        return HttpResponse.json(rollout);
      }),
    );
    renderModelPage();
    const [prodButton] = await screen.findAllByRole('button', {
      name: 'Change traffic',
    });
    await waitFor(() => expect(prodButton).toBeEnabled());
    await userEvent.click(prodButton);
    const dialog = await screen.findByRole('dialog', {
      name: 'Change traffic of fraud-detector in local/ml-prod',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Gradual' }),
    );
    const wait4 = within(dialog).getByRole('spinbutton', {
      name: 'Step 1 wait (seconds)',
    });
    await userEvent.clear(wait4);
    await userEvent.type(wait4, '60');
    expect(
      within(dialog).getByRole('region', { name: 'Preview' }),
    ).toHaveTextContent(
      'v6: 5%, wait 1 min → 25%, wait 10 min → 50%, wait 10 min → 100%',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );

    const progress = await within(dialog).findByRole('region', {
      name: 'Gradual rollout of v6',
    });
    expect(started).toEqual({
      model: 'fraud-detector',
      registryId: 'mlflow',
      cluster: 'local',
      namespace: 'ml-prod',
      target: { version: '6' },
      steps: [
        { percent: 5, waitSeconds: 60 },
        { percent: 25, waitSeconds: 600 },
        { percent: 50, waitSeconds: 600 },
        { percent: 100, waitSeconds: 0 },
      ],
    });
    expect(progress).toHaveTextContent('running, step 1 of 4');
    const readsBefore = modelReads;

    await waitFor(
      () => expect(progress).toHaveTextContent('running, step 2 of 4'),
      { timeout: 4000 },
    );
    expect(polls).toBe(1);
    // A new step changed the split, so the page re-reads the model.
    await waitFor(() => expect(modelReads).toBeGreaterThan(readsBefore));
    expect(
      within(progress)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      '5%, then wait 1 min: done',
      '25%, then wait 10 min: done',
      expect.stringMatching(/^50%, then wait 10 min: next at /),
      '100%: waiting',
    ]);

    await userEvent.click(
      within(progress).getByRole('button', { name: 'Pause' }),
    );
    expect(
      await within(progress).findByRole('button', { name: 'Resume' }),
    ).toBeInTheDocument();
    expect(progress).toHaveTextContent('paused, step 2 of 4');
    const pollsWhenPaused = polls;
    await new Promise(resolve => setTimeout(resolve, 2500));
    expect(polls).toBe(pollsWhenPaused);
  });
});
