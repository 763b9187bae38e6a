import { APIRequestContext, Page, expect } from '@playwright/test';

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

const BACKEND_URL =
  process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007';

/** A token of the demo's guest user, for asking the backend what a page must show. */
async function guestToken(request: APIRequestContext) {
  const session = await request.get(`${BACKEND_URL}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return (await session.json()).backstageIdentity.token as string;
}

/**
 * GET from the ML Platform API as the guest. A freshly started backend
 * answers 503 until it has read the registry once, so this waits that out.
 */
export async function backendGet(request: APIRequestContext, path: string) {
  const token = await guestToken(request);
  let body: any;
  await expect(async () => {
    const res = await request.get(`${BACKEND_URL}/api/ml-platform${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status()).toBe(200);
    body = await res.json();
  }).toPass({ timeout: 180_000 });
  return body;
}

/**
 * Waits until the catalog holds an entity for each model, which the Models
 * page links to: right after the portal starts, the catalog may not have
 * ingested them all yet.
 */
export async function waitForModelEntities(
  request: APIRequestContext,
  models: string[],
) {
  const token = await guestToken(request);
  const annotation = 'ml-platform.io/registered-model';
  await expect(async () => {
    const res = await request.get(
      `${BACKEND_URL}/api/catalog/entities/by-query?filter=metadata.annotations.${annotation}&fields=metadata.annotations&limit=1000`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res.ok()).toBe(true);
    const named = new Set(
      (await res.json()).items.map((e: any) =>
        e.metadata.annotations[annotation].split('/').pop(),
      ),
    );
    expect(models.filter(m => !named.has(m))).toEqual([]);
  }).toPass({ timeout: 180_000 });
}
