import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { memoryOf, round } from './stats.mjs';
import { BENCH_DIR, REPO_ROOT, modelName, settings } from './settings.mjs';

const BACKEND_DIR = path.join(REPO_ROOT, 'packages/backend');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Catalog entities of a few bench models, which the Kubernetes plugin needs to resolve. */
function writeEntities(file) {
  const docs = [];
  for (let i = 0; i < settings.referenceEntities; i++) {
    const name = modelName(i);
    docs.push(
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          annotations: {
            'backstage.io/kubernetes-id': name,
            'ml-platform.io/registered-model': `mlflow/${name}`,
          },
        },
        spec: {
          type: 'model-service',
          lifecycle: 'production',
          owner: 'group:default/ml-platform',
        },
      }),
    );
  }
  fs.writeFileSync(file, `${docs.join('\n---\n')}\n`);
}

/**
 * The overlay pointing the portal's backend at the bench platform through the
 * counting proxies. It holds credentials, so it lives in the state directory.
 */
function writeConfig(file, { kube, kubeUrl, mlflow, mlflowUrl, entitiesFile }) {
  const config = {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'bench',
              url: kubeUrl,
              authProvider: 'serviceAccount',
              serviceAccountToken: kube.token,
              caData: kube.caData,
              skipMetricsLookup: true,
            },
          ],
        },
      ],
    },
    catalog: { locations: [{ type: 'file', target: entitiesFile }] },
    mlPlatform: {
      // Long enough for a cold first read of every version; the default is 10 s.
      sourceTimeout: { minutes: 30 },
      // Refreshes happen only when the benchmark asks for one.
      refresh: { frequency: { hours: 24 } },
      registries: {
        mlflow: [
          {
            id: 'mlflow',
            baseUrl: mlflowUrl,
            uiUrl: mlflow.url,
            auth: { username: mlflow.username, password: mlflow.password },
          },
        ],
      },
    },
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

/** Boots packages/backend from source as `yarn start` does, on a free port. */
export async function startBackend(options) {
  const entitiesFile = path.join(settings.state, 'bench-entities.yaml');
  const configFile = path.join(settings.state, 'bench-app-config.json');
  writeEntities(entitiesFile);
  writeConfig(configFile, { ...options, entitiesFile });
  return spawnBackend({
    configFiles: [configFile],
    logFile: path.join(settings.state, 'logs/bench-backend.log'),
    memoryFile: path.join(settings.state, 'bench-backend-memory.json'),
  });
}

/**
 * Boots packages/backend from source with app-config.yaml and `configFiles`
 * on a free port of 127.0.0.1, and waits until the ML Platform plugin answers.
 */
export async function spawnBackend({ configFiles, logFile, memoryFile }) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const require = createRequire(path.join(BACKEND_DIR, 'package.json'));
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      '--require',
      path.join(BENCH_DIR, 'src/memoryProbe.cjs'),
      '--expose-gc',
      'src/index.ts',
      '--config',
      path.join(REPO_ROOT, 'app-config.yaml'),
      ...configFiles.flatMap(f => ['--config', f]),
    ],
    {
      cwd: BACKEND_DIR,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        APP_CONFIG_backend_baseUrl: JSON.stringify(baseUrl),
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_listen_host: JSON.stringify('127.0.0.1'),
        BENCH_MEMORY_FILE: memoryFile,
      },
      stdio: ['ignore', log, log],
    },
  );
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the backend exited with ${child.exitCode}; log: ${logFile}`,
      );
    }
    if (Date.now() - started > 300_000) {
      child.kill('SIGTERM');
      throw new Error(
        `the backend did not start within 5 min; log: ${logFile}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/api/ml-platform/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 500));
  }

  return {
    baseUrl,
    pid: child.pid,
    logFile,
    startupMs: Date.now() - started,
    /** RSS from /proc, heap from the process itself (see memoryProbe.cjs). */
    async memory() {
      const asked = Date.now();
      child.kill('SIGUSR2');
      for (;;) {
        try {
          const m = JSON.parse(fs.readFileSync(memoryFile, 'utf8'));
          if (m.at >= asked) {
            return {
              ...memoryOf(child.pid),
              heapUsedMb: round(m.heapUsed / 2 ** 20),
              heapTotalMb: round(m.heapTotal / 2 ** 20),
            };
          }
        } catch {
          // Not written yet.
        }
        await new Promise(r => setTimeout(r, 100));
      }
    },
    async signInAsGuest() {
      const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      if (!res.ok) throw new Error(`guest sign-in failed: ${res.status}`);
      return (await res.json()).backstageIdentity.token;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
