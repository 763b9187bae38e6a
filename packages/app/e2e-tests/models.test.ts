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

test('shows every column of the Models page in full at 1440 px, only descriptions give way', async ({
  page,
  request,
}) => {
  expect(page.viewportSize()?.width).toBe(1440);
  const all = await backendGet(request, '/models?limit=500');
  await waitForModelEntities(
    request,
    all.items.map((m: any) => m.name),
  );
  await signIn(page);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  for (const name of all.items.map((m: any) => m.name)) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await screenshot(page, 'models-page-columns', false);

  // What is cut off: a cell whose content is wider than the cell, or text
  // inside one that overflows its box (an ellipsis, a clipped "v3 1").
  // Only a model's description, whole in its tooltip, may give way.
  const cutOff = await page.evaluate(() => {
    const cut: string[] = [];
    const table = document.querySelector('table')!;
    const scroller = table.parentElement!;
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
      cut.push(
        `the table scrolls sideways: ${scroller.scrollWidth} px in ${scroller.clientWidth} px`,
      );
    }
    const headers = [...table.querySelectorAll('thead th')].map(
      th => th.textContent ?? '',
    );
    const overflows = (e: Element) => e.scrollWidth > e.clientWidth + 1;
    for (const cell of table.querySelectorAll('th, td')) {
      const column = headers[(cell as HTMLTableCellElement).cellIndex];
      const isModelCell =
        (cell as HTMLTableCellElement).cellIndex === 0 &&
        !cell.closest('thead');
      const inside = [cell, ...cell.querySelectorAll('*')].filter(
        e => !isModelCell || e.tagName === 'A',
      );
      for (const e of inside) {
        if (overflows(e)) {
          cut.push(`${column}: "${e.textContent}"`);
        }
      }
    }
    return [...new Set(cut)];
  });
  expect(cutOff).toEqual([]);
});

test('lights up only the ML tools item in the sidebar on the tools page', async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole('link', { name: 'ML tools', exact: true }).click();
  await expect(page).toHaveURL(/\/ml-tools$/);
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'ML tools', exact: true }),
  ).toHaveAttribute('aria-current', 'page');
  await expect(
    nav.getByRole('link', { name: 'Models', exact: true }),
  ).not.toHaveAttribute('aria-current', 'page');
});
