import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startBackend } from '../../src/startBackend.mjs';
import { percentile, round } from '../../src/stats.mjs';
import { BENCH_DIR, readPlatformFile, settings } from '../../src/settings.mjs';
import { writeResults } from '../../src/writeResults.mjs';
import { measureLoad } from './measureLoads.mjs';
import { printUiReport } from './report.mjs';

const LOADS = Number(process.env.LOADS || 10);
// Both pages are filtered by the same search text: half of the bench models'
// names hold it. (Safety = unsafe would not narrow: every bench model has an
// unsafe version, and a model's verdict is its worst version's.)
const SEARCH_TERM = process.env.SEARCH_TERM || 'm01';
const MODEL_ROW = '^bench-m\\d{5}$';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

const log = message =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Polls until `read` returns a truthy value; the first registry read is slow. */
async function until(what, read, timeoutMs = 900_000) {
  const started = Date.now();
  for (;;) {
    try {
      const value = await read();
      if (value) return value;
    } catch (e) {
      // Headers time out while the backend's first read runs; ask again.
      if (e.cause?.code !== 'UND_ERR_HEADERS_TIMEOUT') throw e;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what}`);
    await sleep(2000);
  }
}

async function getJson(url, token) {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** What each page is, when it is interactive, and how its filter is applied. */
function pages(baseUrl) {
  return [
    {
      name: 'models',
      title: 'Models page (/ml-platform)',
      url: `${baseUrl}/ml-platform`,
      interactive: { searchLabel: 'Search models', rowPattern: MODEL_ROW },
      filterEvent: 'input',
      filterDescription: `search text '${SEARCH_TERM}'`,
      async applyFilter(page) {
        await page
          .getByRole('searchbox', { name: 'Search models' })
          .fill(SEARCH_TERM);
      },
      filtered: {
        urlIncludes: `search=${SEARCH_TERM}`,
        rowPattern: MODEL_ROW,
        allowedSubstring: SEARCH_TERM,
      },
    },
    {
      name: 'catalog',
      title: 'Catalog index (/catalog, kind resource, type ml-model)',
      url: `${baseUrl}/catalog?filters[kind]=resource&filters[type]=ml-model&filters[user]=all`,
      interactive: { searchLabel: 'Search', rowPattern: MODEL_ROW },
      filterEvent: 'input',
      filterDescription: `search text '${SEARCH_TERM}'`,
      async applyFilter(page) {
        await page
          .getByPlaceholder('Search', { exact: true })
          .fill(SEARCH_TERM);
      },
      filtered: {
        urlIncludes: '',
        rowPattern: MODEL_ROW,
        allowedSubstring: SEARCH_TERM,
      },
    },
  ];
}

function summarize(loads) {
  const metric = key => {
    const values = loads.map(l => l[key]);
    return {
      p50: round(percentile(values, 50)),
      p95: round(percentile(values, 95)),
      min: round(Math.min(...values)),
      max: round(Math.max(...values)),
    };
  };
  return {
    interactiveMs: metric('interactiveMs'),
    filterMs: metric('filterMs'),
    loadKb: {
      ...Object.fromEntries(
        Object.entries(metric('loadBytes')).map(([k, v]) => [
          k,
          round(v / 1024),
        ]),
      ),
    },
    loadRequests: metric('loadRequests'),
    loadApiRequests: metric('loadApiRequests'),
    filterApiRequests: metric('filterApiRequests'),
    filterKb: Object.fromEntries(
      Object.entries(metric('filterBytes')).map(([k, v]) => [
        k,
        round(v / 1024),
      ]),
    ),
  };
}

async function main() {
  const distIndex = path.resolve(BENCH_DIR, '../packages/app/dist/index.html');
  if (!fs.existsSync(distIndex)) {
    throw new Error(`${distIndex} is missing: bench/ui/run.sh builds it`);
  }
  const kube = readPlatformFile('kube');
  const mlflow = readPlatformFile('mlflow');

  // The catalog gets only the org and platform entities besides the provider's
  // Resources, so every bench model becomes one; the provider runs often, with
  // room for the backend's cold first read.
  process.env.APP_CONFIG_catalog_locations = JSON.stringify(
    ['org', 'platform'].map(name => ({
      type: 'file',
      target: path.resolve(BENCH_DIR, `../catalog/${name}.yaml`),
      ...(name === 'org' ? { rules: [{ allow: ['User', 'Group'] }] } : {}),
    })),
  );
  process.env.APP_CONFIG_catalog_providers_mlPlatform_schedule = JSON.stringify(
    {
      frequency: { seconds: 20 },
      timeout: { minutes: 15 },
      initialDelay: { seconds: 5 },
    },
  );

  log('booting packages/backend (it serves the production frontend build)');
  const backend = await startBackend({
    kube,
    kubeUrl: kube.server,
    mlflow,
    mlflowUrl: mlflow.url,
  });
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: round(os.totalmem() / 2 ** 30),
    },
    settings: {
      models: settings.models,
      versionsPerModel: settings.versionsPerModel,
      loadsPerPage: LOADS,
      searchTerm: SEARCH_TERM,
      chromium: CHROMIUM_ARGS,
    },
  };
  let browser;
  try {
    const api = `${backend.baseUrl}/api`;
    const token = await backend.signInAsGuest();

    log('waiting for the first registry read (cold: every MLmodel file)');
    const readStarted = Date.now();
    await until('the first registry read', async () => {
      const body = await getJson(`${api}/ml-platform/models?limit=1`, token);
      return body.totalCount === settings.models;
    });
    results.firstReadSeconds = round((Date.now() - readStarted) / 1000);

    log(
      `waiting for the catalog to hold ${settings.models} ml-model Resources`,
    );
    results.catalogEntities = await until('the catalog Resources', async () => {
      const body = await getJson(
        `${api}/catalog/entities/by-query?filter=kind=resource,spec.type=ml-model&limit=1`,
        token,
      );
      return body.totalItems >= settings.models && body.totalItems;
    });
    const count = async query =>
      (await getJson(`${api}/ml-platform/models?${query}&limit=1`, token))
        .totalCount;
    results.unsafeModels = await count('safety=unsafe');
    results.modelsMatchingTerm = await count(`search=${SEARCH_TERM}`);
    const catalogMatches = await getJson(
      `${api}/catalog/entities/by-query?filter=kind=resource,spec.type=ml-model&fullTextFilterTerm=${SEARCH_TERM}&fullTextFilterFields=metadata.name&limit=1`,
      token,
    );
    results.catalogTermMatches = catalogMatches.totalItems;

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    // Sign in once; every measured load starts from this state, as a returning user.
    const signIn = await browser.newContext();
    const signInPage = await signIn.newPage();
    await signInPage.goto(`${backend.baseUrl}/`);
    await signInPage.getByRole('button', { name: 'Enter' }).click();
    await signInPage
      .getByRole('link', { name: 'Catalog', exact: true })
      .waitFor({ timeout: 120_000 });
    const storageState = await signIn.storageState();
    await signIn.close();

    const targets = pages(backend.baseUrl);
    const failureScreenshot = path.join(
      settings.state,
      'logs/bench-ui-failure.png',
    );
    log('one warm-up load of each page (not counted)');
    for (const page of targets) {
      await measureLoad(browser, { storageState, page, failureScreenshot });
    }
    const loads = Object.fromEntries(targets.map(p => [p.name, []]));
    const loadAverages = [];
    // Interleaved, so that the machine's other load falls on both pages alike.
    for (let i = 0; i < LOADS; i++) {
      for (const page of targets) {
        loadAverages.push(os.loadavg()[0]);
        const load = await measureLoad(browser, {
          storageState,
          page,
          failureScreenshot,
        });
        loads[page.name].push(load);
        log(
          `${page.name} #${i + 1}: interactive ${Math.round(
            load.interactiveMs,
          )} ms, filter ${Math.round(load.filterMs)} ms, ${Math.round(
            load.loadBytes / 1024,
          )} kB, ${load.loadApiRequests} API requests`,
        );
      }
    }
    results.loadAverage1m = {
      min: round(Math.min(...loadAverages)),
      max: round(Math.max(...loadAverages)),
      mean: round(
        loadAverages.reduce((s, v) => s + v, 0) / loadAverages.length,
      ),
    };
    results.pages = targets.map(page => ({
      name: page.name,
      title: page.title,
      url: page.url.replace(backend.baseUrl, ''),
      filter: page.filterDescription,
      ...summarize(loads[page.name]),
      apiRequestsOfFirstLoad: loads[page.name][0].loadApiPaths,
      loads: loads[page.name].map(({ loadApiPaths, ...rest }) => rest),
    }));
  } finally {
    await browser?.close();
    await backend.stop();
  }

  const file = writeResults(results, {
    prefix: 'ui-',
    suffix: `-${settings.models}x${settings.versionsPerModel}`,
  });
  printUiReport(results);
  log(`results: ${file}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
