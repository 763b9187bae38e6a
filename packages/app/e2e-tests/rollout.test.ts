import { Page, expect, test } from '@playwright/test';
import { localKubeClient } from 'platform-tests';
import { screenshot, signIn } from './portal';

// An owner changes traffic from the model's page: a canary of fraud-detector
// v6 to 20 % in local/ml-prod, checked on the apiserver's own HTTPRoute, on
// the page and in the history, then rolled back.

const HTTP_ROUTES = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};

interface HttpRoute {
  metadata: { resourceVersion: string };
  spec: {
    rules: Array<{ backendRefs: Array<{ name: string; weight?: number }> }>;
  };
}

/** The seeded route, read or replaced by the test itself through the Kubernetes module's client. */
function kube(method: 'GET' | 'PUT', body?: object): Promise<HttpRoute> {
  const client = localKubeClient();
  return method === 'GET'
    ? client.get<HttpRoute>(HTTP_ROUTES, 'ml-prod', 'fraud-scorer')
    : client.replace<HttpRoute>(HTTP_ROUTES, 'ml-prod', 'fraud-scorer', body!);
}

/** Backend name → weight, of the route's first rule. */
const weights = (route: HttpRoute) =>
  Object.fromEntries(
    route.spec.rules[0].backendRefs.map(b => [b.name, b.weight ?? 1]),
  );

async function openDialog(page: Page) {
  const dialogTitle = 'Change traffic of fraud-detector in local/ml-prod';
  const buttons = page.getByRole('button', { name: 'Change traffic' });
  await expect(buttons.first()).toBeEnabled();
  for (let i = 0; i < (await buttons.count()); i++) {
    await buttons.nth(i).click();
    const dialog = page.getByRole('dialog', { name: dialogTitle });
    if (await dialog.isVisible()) return dialog;
    await page.getByRole('button', { name: 'Close' }).click();
  }
  throw new Error(`no "${dialogTitle}" dialog`);
}

test('an owner runs a canary to 20 % from the model page, sees it applied, then rolls back', async ({
  page,
}) => {
  const original = await kube('GET');
  try {
    await signIn(page);
    await page.goto('/catalog/default/component/fraud-scorer/model');
    await expect(
      page.getByRole('heading', { name: 'Deployments' }),
    ).toBeVisible();

    let dialog = await openDialog(page);
    await dialog.getByRole('button', { name: 'Canary' }).click();
    await dialog.getByLabel('Version').selectOption('6');
    await dialog.getByLabel('Percent for v6').fill('20');
    await screenshot(page, 'rollout-dialog', false);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect(dialog).toBeHidden();

    // The apiserver holds the new split: 80/20 between v5 and v6.
    await expect
      .poll(async () => weights(await kube('GET')))
      .toEqual({ 'fraud-scorer-v5': 80, 'fraud-scorer-v6': 20 });
    // The page shows it without a reload, and the history records it.
    await expect(
      page.getByRole('img', { name: /^traffic: v5 80%, v6 20%/ }).first(),
    ).toBeVisible();
    const history = page
      .getByRole('heading', { name: 'Rollout history' })
      .locator('xpath=ancestor::*[.//table][1]');
    await expect(history.getByRole('row').nth(1)).toContainText(/canary/i);
    await expect(history.getByRole('row').nth(1)).toContainText(/succeeded/i);
    await screenshot(page, 'rollout-history');

    dialog = await openDialog(page);
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect(dialog).toBeHidden();
    await expect
      .poll(async () => weights(await kube('GET')))
      .toEqual(weights(original));
    await expect(
      page.getByRole('img', { name: /^traffic: v5 90%, v6 10%/ }).first(),
    ).toBeVisible();
    await expect(history.getByRole('row').nth(1)).toContainText(/roll ?back/i);

    // The Models page names the model's last rollout.
    await page.goto('/ml-platform?search=fraud-detector');
    const row = page
      .getByRole('link', { name: 'fraud-detector', exact: true })
      .locator('xpath=ancestor::*[@role="row"][1]');
    await expect(row).toContainText(/rollback, \d+ s ago/);
    await expect(row).toContainText('local / ml-prod by guest');
  } finally {
    // Whatever failed above, the seeded split is restored for the suites after.
    const now = await kube('GET');
    if (JSON.stringify(weights(now)) !== JSON.stringify(weights(original))) {
      await kube('PUT', {
        ...now,
        spec: { ...now.spec, rules: original.spec.rules },
      });
    }
  }
});
