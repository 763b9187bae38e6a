// Looks at a Backstage app that installed the plugins from the README: its
// backend's routes, then its pages in Chromium, as the guest a new app signs
// in. Exits non-zero at the first thing that is not there, naming it.
//
//   look-at-app.mjs <app URL> <screenshot dir>
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const [base, shots] = process.argv.slice(2);
const MODEL = 'fraud-detector';
const TEMPLATE = 'ml-model-service';
// The scaffolder module's actions, as its README lists them.
const SCAFFOLDER_ACTIONS = [
  'ml-platform:deployment:labels',
  'ml-platform:kubernetes:apply',
  'ml-platform:model-version:check',
  'ml-platform:owner:check',
  'ml-platform:publish:local',
  'ml-platform:publish:target',
  'ml-platform:rollout:apply',
  'ml-platform:rollout:rollback',
];

function ok(what) {
  process.stdout.write(`    ok: ${what}\n`);
}

async function getJson(url, token) {
  const res = await fetch(`${base}${url}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

/** Polls `probe` until it returns a value, for up to `seconds`. */
async function eventually(what, seconds, probe) {
  const until = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) {
      throw new Error(
        `${what}: not after ${seconds} s${last ? ` (${last.message})` : ''}`,
      );
    }
    await new Promise(r => setTimeout(r, 2000));
  }
}

async function checkBackend() {
  const health = await getJson('/api/ml-platform/health');
  if (health.status !== 'ok')
    throw new Error(`health: ${JSON.stringify(health)}`);
  ok('/api/ml-platform/health answers ok');

  const { backstageIdentity } = await getJson('/api/auth/guest/refresh');
  const token = backstageIdentity.token;

  const models = await eventually('the registered models', 120, async () => {
    const page = await getJson('/api/ml-platform/models', token);
    const failing = page.registries.filter(r => !r.ok);
    if (failing.length > 0) {
      throw new Error(failing.map(r => `${r.id}: ${r.error}`).join('; '));
    }
    return page.items.some(m => m.name === MODEL) && page;
  });
  ok(
    `/api/ml-platform/models lists ${models.items.length} models, ${MODEL} among them`,
  );

  const actions = (await getJson('/api/scaffolder/v2/actions', token)).map(
    a => a.id,
  );
  const missing = SCAFFOLDER_ACTIONS.filter(id => !actions.includes(id));
  if (missing.length > 0) {
    throw new Error(`the scaffolder lacks ${missing.join(', ')}`);
  }
  ok(
    `the scaffolder lists the ${SCAFFOLDER_ACTIONS.length} actions of the scaffolder module`,
  );

  // The model's entity and the templates reach the catalog on its own schedule.
  await eventually(`resource:default/${MODEL} in the catalog`, 180, () =>
    getJson(`/api/catalog/entities/by-name/resource/default/${MODEL}`, token),
  );
  ok(`the catalog module provided resource:default/${MODEL}`);
  await eventually(`template:default/${TEMPLATE} in the catalog`, 180, () =>
    getJson(
      `/api/catalog/entities/by-name/template/default/${TEMPLATE}`,
      token,
    ),
  );
  ok(`the catalog holds template:default/${TEMPLATE}`);
}

async function checkPages() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH,
  });
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
  });
  const shot = name =>
    page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  try {
    await page.goto(base);
    // A new app asks the guest to enter first (the legacy one signs in by itself).
    const enter = page.getByRole('button', { name: 'Enter' });
    const models = page.getByRole('link', { name: 'Models', exact: true });
    await enter.or(models).first().waitFor({ timeout: 60_000 });
    if (await enter.isVisible()) await enter.click();
    await models.first().click({ timeout: 60_000 });
    await page
      .getByRole('link', { name: MODEL, exact: true })
      .first()
      .waitFor({ timeout: 60_000 });
    await shot('models-page');
    ok(
      `the sidebar's Models entry leads to the Models page, which lists ${MODEL}`,
    );

    await page.goto(`${base}/catalog/default/resource/${MODEL}`);
    // A link in the new frontend system's entity page, a tab in the legacy one.
    await page
      .getByRole('link', { name: 'Model', exact: true })
      .or(page.getByRole('tab', { name: 'Model', exact: true }))
      .first()
      .click({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Versions' }).waitFor();
    await shot('model-tab');
    ok(`the entity page of ${MODEL} has the Model tab`);

    // The template's first page filled in, the form field is on its second.
    const formData = {
      name: 'install-check',
      owner: 'group:default/guests',
      system: 'system:default/examples',
    };
    await page.goto(
      `${base}/create/templates/default/${TEMPLATE}?formData=${encodeURIComponent(
        JSON.stringify(formData),
      )}`,
    );
    await page.getByRole('button', { name: 'Next' }).click({ timeout: 60_000 });
    await page.getByLabel('Search models').waitFor({ timeout: 60_000 });
    await page
      .getByRole('radiogroup', { name: 'Registered models' })
      .getByText(MODEL, { exact: true })
      .waitFor({ timeout: 60_000 });
    await shot('template-form-field');
    ok(`the template form field MlflowModelVersionPicker offers ${MODEL}`);
  } catch (error) {
    await shot('failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
}

fs.mkdirSync(shots, { recursive: true });
try {
  await checkBackend();
  await checkPages();
} catch (error) {
  process.stderr.write(`ERROR: ${error.message}\n`);
  process.exit(1);
}
