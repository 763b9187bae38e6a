/* eslint-disable no-console */
// The verdicts benchmark: the backend's own registry code (MlflowModelRegistry
// with its verdict store on SQLite, as the plugin wires it) judges every
// version of a bench MLflow from its files: a first read with an empty store,
// a re-read by a new instance on the same database (a restart), and a
// re-check that lists every version again. Prints and writes the time, the
// requests and artifact bytes received from MLflow, and the peak memory.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import { MlflowModelRegistry } from '../../plugins/ml-platform-backend/src/services/MlflowRegistry';
import { createSafetyVerdictStore } from '../../plugins/ml-platform-backend/src/services/SerializationSafety';

const state = process.env.ML_PLATFORM_STATE!;
const mlflow = JSON.parse(
  fs.readFileSync(path.join(state, 'mlflow.json'), 'utf8'),
);

function memorySampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function phase(
  name: string,
  registry: MlflowModelRegistry,
  filter: (n: string) => boolean,
) {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const sampler = memorySampler();
  const requestsBefore = { ...registry.client.requestCounts };
  const bytesBefore = registry.client.artifactBytesRead;
  const started = performance.now();
  const versions = (await registry.listVersions()).filter(v => filter(v.name));
  const seconds = (performance.now() - started) / 1000;
  const peakRss = sampler.stop();
  const requests = Object.fromEntries(
    Object.entries(registry.client.requestCounts)
      .map(([p, n]) => [p, n - (requestsBefore[p] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
  const bySafety: Record<string, number> = {};
  for (const v of versions) {
    const key = v.safety?.safety ?? 'error';
    bySafety[key] = (bySafety[key] ?? 0) + 1;
  }
  const result = {
    phase: name,
    versions: versions.length,
    seconds: Math.round(seconds * 10) / 10,
    artifactBytes: registry.client.artifactBytesRead - bytesBefore,
    requests,
    bySafety,
    rssBeforeMb: Math.round(rssBefore / 1024 ** 2),
    peakRssMb: Math.round(peakRss / 1024 ** 2),
  };
  console.log(JSON.stringify(result));
  return result;
}

async function main() {
  const dbFile = path.join(state, 'verdicts-bench.sqlite');
  fs.rmSync(dbFile, { force: true });
  const manager = DatabaseManager.fromConfig(
    new ConfigReader({
      backend: {
        database: {
          client: 'better-sqlite3',
          connection: { directory: state },
        },
      },
    }),
  );
  const database = manager.forPlugin('verdicts-bench', {
    logger: { child: () => ({}) } as any,
    lifecycle: { addStartupHook() {}, addShutdownHook() {} } as any,
  } as any);
  const verdicts = await createSafetyVerdictStore({ database });
  const options = {
    id: 'mlflow',
    baseUrl: mlflow.url,
    auth: { username: mlflow.username, password: mlflow.password },
    verdicts,
  };
  const bench = (n: string) => n.startsWith('vbench-');
  const results = [
    await phase('first read', new MlflowModelRegistry(options), bench),
    await phase(
      're-read after a restart',
      new MlflowModelRegistry(options),
      bench,
    ),
    await phase(
      're-check of every listing',
      new MlflowModelRegistry({ ...options, recheckIntervalMs: 0 }),
      bench,
    ),
  ];
  const out = path.join(
    __dirname,
    '..',
    'results',
    `verdicts-${new Date()
      .toISOString()
      .replace(/[:.]/g, '-')
      .slice(0, 19)}.json`,
  );
  fs.writeFileSync(out, JSON.stringify({ results }, null, 2));
  console.log(`written to ${out}`);
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
