import { Page, expect } from '@playwright/test';

const SCREENSHOTS = 'e2e-test-report/screenshots';

/** Enters the demo portal as the guest user. */
export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/**
 * A picture for the test report. A dialog stays in the viewport, so a
 * full-page picture would cut it off: pass `fullPage: false` for one.
 */
export const screenshot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
