import { defineConfig } from '@playwright/test';
import path from 'node:path';

// End-to-end tests drive the demo portal (frontend :3000, backend :7007) on
// the local ML platform, in the machine's own Chromium: no browser download.
// A portal already running (./scripts/demo.sh) is reused; otherwise one is
// started with the platform's config (scripts/platform/up.sh must have run).

const stateDir = process.env.ML_PLATFORM_STATE ?? '.local/platform';
const platformConfig = path.resolve(stateDir, 'app-config.platform.yaml');

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 600_000,
  expect: { timeout: 30_000 },
  // One portal, one browser: the machine has two cores.
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  webServer: [
    {
      command: `yarn start --config ${path.resolve(
        'app-config.yaml',
      )} --config ${platformConfig}`,
      // The backend answers last; the frontend's dev server holds page
      // requests until its bundle is built.
      url: 'http://localhost:7007/api/ml-platform/health',
      reuseExistingServer: !process.env.CI,
      timeout: 600_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1440, height: 900 },
    navigationTimeout: 300_000,
    actionTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
      ],
    },
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
});
