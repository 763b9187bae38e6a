import { Page, expect, test } from '@playwright/test';
import { backendGet, screenshot, signIn, waitForModelEntities } from './portal';

// A user's morning round through the demo portal on the seeded local platform:
// the Models page, the unsafe ones, one model's versions, traffic and lineage,
// and its pods. What the page must show is asked from the backend's API and
// the seeded servers' data, never written down twice.

const MODEL = 'fraud-detector';

async function choose(page: Page, label: string, option: string) {
  const field = page.getByLabel(label, { exact: true });
  if ((await field.evaluate(e => e.tagName)) === 'SELECT') {
    await field.selectOption(option);
  } else {
    await field.click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }
}

test('finds the unsafe models, opens one, sees its versions, traffic, lineage and pods', async ({
  page,
  request,
}) => {
  const all = await backendGet(request, '/models?limit=500');
  const unsafe = await backendGet(request, '/models?safety=unsafe&limit=500');
  const unsafeNames: string[] = unsafe.items.map((m: any) => m.name);
  const otherNames = all.items
    .map((m: any) => m.name)
    .filter((n: string) => !unsafeNames.includes(n));
  expect(unsafeNames.length).toBeGreaterThan(0);
  expect(otherNames.length).toBeGreaterThan(0);

  await waitForModelEntities(
    request,
    all.items.map((m: any) => m.name),
  );
  await signIn(page);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  for (const name of all.items.map((m: any) => m.name)) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'models-page');

  await choose(page, 'Safety', 'unsafe');
  await expect(page).toHaveURL(/safety=unsafe/);
  for (const name of otherNames) {
    await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
  }
  for (const name of unsafeNames) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'models-page-unsafe');

  // The filter lives in the URL: a shared link opens the same view.
  await page.reload();
  for (const name of otherNames) {
    await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
  }

  const details = await backendGet(request, `/models/${MODEL}`);
  await page.goto('/ml-platform');
  await page.getByRole('link', { name: MODEL, exact: true }).click();
  await page.getByRole('link', { name: 'Model', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Versions' })).toBeVisible();
  for (const v of details.versions) {
    await expect(page.getByText(`v${v.version}`).first()).toBeVisible();
  }

  // Each deployment's traffic split, as the backend computed it.
  for (const d of details.deployments) {
    for (const v of d.versions.filter((s: any) => s.percent > 0)) {
      const share = `v${v.version} ${Math.round(v.percent)}%`;
      await expect(
        page
          .getByRole('img', { name: new RegExp(`^traffic:.*${share}`) })
          .first(),
      ).toBeVisible();
    }
  }

  // Lineage links lead to the tools' own pages.
  const hrefs = async (name: string) =>
    page
      .getByRole('link', { name })
      .evaluateAll(links => links.map(l => l.getAttribute('href')));
  const expected = (pick: (v: any) => string | undefined) =>
    details.versions.map(pick).filter(Boolean);
  expect(await hrefs('MLflow run')).toEqual(
    expect.arrayContaining(expected((v: any) => v.links.run)),
  );
  expect(await hrefs('ZenML run')).toEqual(
    expect.arrayContaining(expected((v: any) => v.lineage?.pipelineRun?.link)),
  );
  expect(await hrefs('lakeFS commit')).toEqual(
    expect.arrayContaining(expected((v: any) => v.lineage?.dataCommit?.link)),
  );
  expect(
    expected((v: any) => v.lineage?.dataCommit?.link).length,
  ).toBeGreaterThan(0);
  await screenshot(page, 'model-page');

  await page.getByRole('link', { name: 'Kubernetes', exact: true }).click();
  // The standard Kubernetes tab finds the model service's pods, all healthy.
  await expect(page.getByText(/^[1-9]\d* pods?$/).first()).toBeVisible();
  await expect(page.getByText('No pods with errors').first()).toBeVisible();
  await screenshot(page, 'model-kubernetes');
});
