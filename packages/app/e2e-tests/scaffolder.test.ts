import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { backendGet, screenshot, signIn } from './portal';

// A model owner starts a new model service from /create: the model step
// offers fraud-detector's versions with their verdicts, refuses a pickled
// version with the reason the backend gives, and lets a safe one through.
// The verdicts are asked from the backend, never written down twice.

const MODEL = 'fraud-detector';

interface Version {
  version: string;
  status: string;
  aliases: string[];
  safety?: { safety: string; reason: string };
}

async function versionsOf(request: APIRequestContext, model: string) {
  return (await backendGet(request, `/models/${model}`)).versions as Version[];
}

/** Types into an entity picker and takes the suggestion that matches. */
async function pickEntity(page: Page, label: string, option: RegExp) {
  await page.getByRole('textbox', { name: label }).click();
  await page.getByRole('option', { name: option }).first().click();
}

test('the model step refuses an unsafe version with its reason and accepts a safe one', async ({
  page,
  request,
}) => {
  const versions = await versionsOf(request, MODEL);
  const byNumber = (n: string) => versions.find(v => v.version === n)!;
  // As seeded: v2 is a pickled sklearn model, v6 the ONNX challenger.
  const unsafe = byNumber('2');
  const safe = byNumber('6');
  const champion = versions.find(v => v.aliases.includes('champion'));
  expect(unsafe.safety?.safety).toBe('unsafe');
  expect(safe.safety?.safety).toBe('safe');
  expect(safe.status).toBe('READY');

  await signIn(page);
  await page.goto('/create');
  // The card of the template named ml-model-service, whatever its title: the
  // nearest ancestor of its entity link that holds a Choose button.
  const card = page
    .locator('a[href$="/template/ml-model-service"]')
    .locator('xpath=ancestor::*[.//button[normalize-space()="Choose"]][1]');
  await card.getByRole('button', { name: 'Choose' }).click();

  await page.getByRole('textbox', { name: 'Name' }).fill('fraud-scorer-next');
  await pickEntity(page, 'Owner', /fraud/i);
  await pickEntity(page, 'System', /fraud/i);
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('textbox', { name: 'Search models' }).fill('fraud');
  await page.getByRole('radio', { name: new RegExp(`^${MODEL}`) }).check();
  const versionList = page.getByRole('radiogroup', { name: 'Model versions' });
  const radio = (v: Version) =>
    versionList.getByRole('radio', { name: new RegExp(`^v${v.version} `) });
  await expect(versionList.getByRole('radio')).toHaveCount(versions.length);
  // A safe champion is where the user starts.
  if (champion?.safety?.safety === 'safe') {
    await expect(radio(champion)).toBeChecked();
  }

  await radio(unsafe).check();
  const refusal = `${MODEL} v${unsafe.version} is unsafe to serve: ${
    unsafe.safety!.reason
  }`;
  await expect(page.getByRole('alert')).toHaveText(refusal);
  await page.getByRole('button', { name: 'Next' }).click();
  // Validation keeps the user on the step, saying why.
  await expect(page.getByText(refusal, { exact: true })).toBeVisible();
  await expect(
    page.getByRole('textbox', { name: 'Search models' }),
  ).toBeVisible();
  await screenshot(page, 'scaffolder-model-version-refused');

  await radio(safe).check();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(
    page.getByText(`The service will serve models:/${MODEL}/${safe.version}.`),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('textbox', { name: 'Namespace' })).toBeVisible();

  // Back on the step, the choice is kept and nothing is refused any more.
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(radio(safe)).toBeChecked();
  await expect(page.getByText(refusal, { exact: true })).toHaveCount(0);
  await screenshot(page, 'scaffolder-model-version-accepted');
});
