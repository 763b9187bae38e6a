import { filteredProbe, interactiveProbe } from './pageProbes.mjs';

const PROBE_TIMEOUT_MS = 120_000;

/**
 * Counts what the page transfers, from Chrome's own network events: bytes on
 * the wire (headers included, compressed bodies) and requests to the backend's
 * API, in phases the caller marks.
 */
async function watchNetwork(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const totals = { bytes: 0, requests: 0, apiRequests: 0, apiPaths: [] };
  cdp.on('Network.requestWillBeSent', e => {
    totals.requests++;
    const url = new URL(e.request.url);
    if (url.pathname.startsWith('/api/')) {
      totals.apiRequests++;
      totals.apiPaths.push(`${e.request.method} ${url.pathname}`);
    }
  });
  cdp.on('Network.loadingFinished', e => {
    totals.bytes += e.encodedDataLength;
  });
  return {
    snapshot: () => ({ ...totals, apiPaths: [...totals.apiPaths] }),
    since: before => ({
      bytes: totals.bytes - before.bytes,
      requests: totals.requests - before.requests,
      apiRequests: totals.apiRequests - before.apiRequests,
      apiPaths: totals.apiPaths.slice(before.apiPaths.length),
    }),
  };
}

/**
 * One cold load of a page in a fresh browser context (empty HTTP cache, the
 * guest's sign-in choice preset), then one filter applied on it.
 */
export async function measureLoad(
  browser,
  { storageState, page: target, failureScreenshot },
) {
  const context = await browser.newContext({
    storageState,
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  try {
    const network = await watchNetwork(context, page);
    const start = network.snapshot();
    await page.goto(target.url, { waitUntil: 'commit' });
    const interactiveMs = await (
      await page.waitForFunction(interactiveProbe, target.interactive, {
        polling: 'raf',
        timeout: PROBE_TIMEOUT_MS,
      })
    ).jsonValue();
    const atInteractive = network.snapshot();
    const load = network.since(start);

    // The filter's clock starts at the user's gesture, caught by the page itself.
    await page.evaluate(eventType => {
      window.__benchFilterStart = undefined;
      document.addEventListener(
        eventType,
        () => {
          window.__benchFilterStart ??= performance.now();
        },
        { capture: true },
      );
    }, target.filterEvent);
    await target.applyFilter(page);
    const filteredAt = await (
      await page.waitForFunction(filteredProbe, target.filtered, {
        polling: 'raf',
        timeout: PROBE_TIMEOUT_MS,
      })
    ).jsonValue();
    const filterStart = await page.evaluate(() => window.__benchFilterStart);
    if (filterStart === undefined) {
      throw new Error(`${target.name}: the filter gesture was not seen`);
    }
    const filter = network.since(atInteractive);
    return {
      interactiveMs,
      filterMs: filteredAt - filterStart,
      loadBytes: load.bytes,
      loadRequests: load.requests,
      loadApiRequests: load.apiRequests,
      loadApiPaths: load.apiPaths,
      filterApiRequests: filter.apiRequests,
      filterBytes: filter.bytes,
    };
  } catch (e) {
    await page.screenshot({ path: failureScreenshot, fullPage: true });
    throw new Error(
      `${target.name}: ${e.message} (screenshot ${failureScreenshot})`,
    );
  } finally {
    await context.close();
  }
}
