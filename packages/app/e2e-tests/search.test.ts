import { expect, test } from '@playwright/test';
import { backendGet, screenshot, signIn, waitForModelEntities } from './portal';

// Someone who remembers only "fraud" finds the model from the search page:
// the model and each of its versions, with their verdicts, and the model's
// result leads to its Model tab. What must be found is asked from the
// backend's API, never written down twice.

const MODEL = 'fraud-detector';

test('finds fraud-detector and its versions from the search page, and opens its Model tab', async ({
  page,
  request,
}) => {
  const details = await backendGet(request, `/models/${MODEL}`);
  await waitForModelEntities(request, [MODEL]);
  await signIn(page);
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await page.getByRole('textbox', { name: /search/i }).fill('fraud');
  // The term reaches the page's URL, as a shared search link holds it.
  await expect(page).toHaveURL(/[?&]query=fraud(&|$)/);

  // The index is built a while after the portal starts, and again every
  // minute; until then the search finds less. Each try loads the URL anew.
  await expect(async () => {
    await page.goto('/search?query=fraud');
    await expect(page.getByRole('textbox', { name: /search/i })).toHaveValue(
      'fraud',
    );
    await expect(
      page.getByRole('link', { name: MODEL, exact: true }),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 240_000 });
  await page.getByRole('button', { name: /Models/ }).click();
  for (const v of details.versions) {
    const result = page.getByRole('link', {
      name: `${MODEL} v${v.version}`,
      exact: true,
    });
    await expect(result).toBeVisible();
    await expect(
      result.locator('..').getByRole('img', {
        name: new RegExp(`^Serialization ${v.safety.safety}`),
      }),
    ).toBeVisible();
  }
  await screenshot(page, 'search-fraud');

  await page.getByRole('link', { name: MODEL, exact: true }).click();
  await expect(page).toHaveURL(/\/model$/);
  await expect(page.getByRole('heading', { name: 'Versions' })).toBeVisible();
});
