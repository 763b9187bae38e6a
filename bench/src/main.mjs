import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startApiserverCountingProxy,
  startCountingProxy,
} from './countingProxy.mjs';
import { createBenchKube } from './kubeClient.mjs';
import { measureOnce, measureSequential } from './measure.mjs';
import { createMlflowClient } from './mlflowClient.mjs';
import { printReport } from './report.mjs';
import { seedKube, kubeSeeded } from './seedKube.mjs';
import { seedMlflow } from './seedMlflow.mjs';
import { startBackend } from './startBackend.mjs';
import { latencySummary, round } from './stats.mjs';
import { writeResults } from './writeResults.mjs';
import { modelName, readPlatformFile, settings } from './settings.mjs';

const log = message =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

// The same pseudo-random model names on every run.
function randomIndexes(seed, bound) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % bound;
  };
}

const MODEL_QUERIES = [
  'limit=50',
  'offset=1000&limit=50',
  'search=m001&limit=50',
  'safety=unsafe&limit=50',
  'deployed=true&limit=50',
  'limit=500',
];

/**
 * Seeds what is missing and keeps, in the state directory, how long each seed
 * took, so every later run reports it too.
 */
async function seed(kubeInfo, mlflowInfo) {
  const file = path.join(settings.state, 'bench-seed.json');
  const read = () =>
    fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const record = read();
  const size = {
    models: settings.models,
    versionsPerModel: settings.versionsPerModel,
  };
  const sameSize = r =>
    r?.models === size.models && r?.versionsPerModel === size.versionsPerModel;
  // Re-read first: a seed of the other server may have finished in another process.
  const save = key =>
    fs.writeFileSync(
      file,
      `${JSON.stringify({ ...read(), [key]: record[key] }, null, 2)}\n`,
    );

  // The two servers are seeded at the same time: each is busy on its own CPU work.
  const mlflowSeed = async () => {
    if (!mlflowInfo) return;
    if (sameSize(record.mlflow)) {
      log('MLflow: already seeded');
      return;
    }
    log(
      `MLflow: seeding ${size.models} models x ${size.versionsPerModel} versions`,
    );
    const started = Date.now();
    const { versionsCreated } = await seedMlflow(
      createMlflowClient(mlflowInfo),
      log,
    );
    record.mlflow = {
      ...size,
      seconds: round((Date.now() - started) / 1000),
      versionsCreated,
    };
    save('mlflow');
  };
  const kubeSeed = async () => {
    if (!kubeInfo) return;
    const kube = createBenchKube(kubeInfo);
    if ((await kubeSeeded(kube)) && sameSize(record.kubernetes)) {
      log('Kubernetes: already seeded');
      return;
    }
    log('Kubernetes: seeding Deployments, Services and HTTPRoutes');
    const started = Date.now();
    const { objects } = await seedKube(kube, log);
    record.kubernetes = {
      ...size,
      seconds: round((Date.now() - started) / 1000),
      objects,
    };
    save('kubernetes');
  };
  await Promise.all([mlflowSeed(), kubeSeed()]);
  return record;
}

/**
 * The first listing waits for the first read of the registry, which can take
 * longer than fetch waits for response headers (5 min); asking again joins
 * the same read.
 */
async function waitForFirstRead(url, init) {
  for (;;) {
    try {
      const res = await fetch(url, init);
      const body = await res.json();
      if (!res.ok)
        throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
      return { body };
    } catch (e) {
      if (e.cause?.code !== 'UND_ERR_HEADERS_TIMEOUT') throw e;
    }
  }
}

async function main() {
  // `seed mlflow` or `seed kube` seeds one server alone, e.g. while the other still starts.
  if (process.argv[2] === 'seed') {
    const only = process.argv[3];
    await seed(
      only === 'kube' ? readPlatformFile('kube') : undefined,
      only === 'mlflow' ? readPlatformFile('mlflow') : undefined,
    );
    return;
  }
  const kubeInfo = readPlatformFile('kube');
  const mlflowInfo = readPlatformFile('mlflow');
  const seeding = await seed(kubeInfo, mlflowInfo);

  const kubeProxy = await startApiserverCountingProxy(settings.state, kubeInfo);
  const mlflowProxy = await startCountingProxy({ target: mlflowInfo.url });
  const proxies = [kubeProxy, mlflowProxy];
  const counted = servers => ({ apiserver: servers[0], mlflow: servers[1] });

  log('booting packages/backend');
  const backend = await startBackend({
    kube: kubeInfo,
    kubeUrl: kubeProxy.url,
    mlflow: mlflowInfo,
    mlflowUrl: mlflowProxy.url,
  });
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: round(os.totalmem() / 2 ** 30),
    },
    settings: { ...settings, state: undefined },
    seeding,
    backendStartupMs: backend.startupMs,
  };
  try {
    const token = await backend.signInAsGuest();
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const api = `${backend.baseUrl}/api`;
    const startup = {
      apiserver: kubeProxy.snapshot(),
      mlflow: mlflowProxy.snapshot(),
    };

    log('first read of the registry (cold: every MLmodel file is read)');
    const first = await waitForFirstRead(
      `${api}/ml-platform/models?limit=1`,
      auth,
    );
    const mlflowAfterFirst = mlflowProxy.snapshot();
    if (
      first.body.totalCount !== settings.models ||
      !first.body.registries[0]?.ok
    ) {
      throw new Error(
        `first read incomplete: ${JSON.stringify(first.body).slice(0, 400)}`,
      );
    }
    results.coldRefresh = {
      // From the backend's first MLflow request to the answer that waited for it.
      seconds: round((Date.now() - mlflowAfterFirst.firstAt) / 1000),
      mlflowRequests: mlflowAfterFirst.total,
      byPath: mlflowAfterFirst.byPath,
      msByPath: Object.fromEntries(
        Object.entries(mlflowAfterFirst.msByPath).map(([k, ms]) => [
          k,
          Math.round(ms),
        ]),
      ),
      floor: Math.ceil((settings.models * settings.versionsPerModel) / 1000),
    };
    results.startup = {
      apiserverRequests: startup.apiserver.total,
      apiserverByPath: startup.apiserver.byPath,
    };

    const nextModel = randomIndexes(42, settings.models);
    const nextEntity = randomIndexes(7, settings.referenceEntities);
    const modelsRequest = i => ({
      url: `${api}/ml-platform/models?${
        MODEL_QUERIES[i % MODEL_QUERIES.length]
      }`,
      init: auth,
    });
    const modelRequest = () => ({
      url: `${api}/ml-platform/models/${modelName(nextModel())}`,
      init: auth,
    });
    const checkModel = body => {
      const split = body.deployments[0]?.versions.reduce(
        (s, v) => s + v.percent,
        0,
      );
      if (
        body.versions.length !== settings.versionsPerModel ||
        Math.round(split) !== 100
      ) {
        throw new Error(
          `unexpected model answer: ${JSON.stringify(body).slice(0, 400)}`,
        );
      }
    };

    log('warm-up');
    await measureSequential({ count: 20, makeRequest: modelsRequest, proxies });
    await measureSequential({
      count: 20,
      makeRequest: modelRequest,
      check: checkModel,
      proxies,
    });
    results.memoryAfterWarmUp = await backend.memory();

    log(`GET /models x ${settings.requests}`);
    const models = await measureSequential({
      count: settings.requests,
      makeRequest: modelsRequest,
      check: (body, i) => {
        if (
          i % MODEL_QUERIES.length === 0 &&
          body.totalCount !== settings.models
        ) {
          throw new Error(`GET /models counted ${body.totalCount} models`);
        }
      },
      proxies,
    });
    results.listModels = {
      ...models,
      servers: counted(models.servers),
      byQuery: Object.fromEntries(
        MODEL_QUERIES.map((q, k) => [
          q,
          latencySummary(
            models.durations.filter((_, i) => i % MODEL_QUERIES.length === k),
          ),
        ]),
      ),
    };

    log(`GET /models/{name} x ${settings.requests}`);
    const model = await measureSequential({
      count: settings.requests,
      makeRequest: modelRequest,
      check: checkModel,
      proxies,
    });
    results.getModel = { ...model, servers: counted(model.servers) };

    log('waiting for the catalog to hold the reference entities');
    const lastEntity = `${api}/catalog/entities/by-name/component/default/${modelName(
      settings.referenceEntities - 1,
    )}`;
    for (let tries = 0; !(await fetch(lastEntity, auth)).ok; tries++) {
      if (tries > 240)
        throw new Error('the catalog never ingested the bench entities');
      await new Promise(r => setTimeout(r, 500));
    }
    const kubeRequest = () => {
      const name = modelName(nextEntity());
      return {
        url: `${api}/kubernetes/services/${name}`,
        init: {
          method: 'POST',
          headers: { ...auth.headers, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            entity: {
              kind: 'Component',
              metadata: { name, namespace: 'default' },
            },
          }),
        },
      };
    };
    const checkKube = body => {
      const found = body.items?.[0]?.resources?.find(
        r => r.type === 'deployments',
      );
      if (found?.resources?.length !== settings.versionsPerModel) {
        throw new Error(
          `the Kubernetes plugin found ${found?.resources?.length} Deployments`,
        );
      }
    };
    log(
      `reference: POST /api/kubernetes/services/{entity} x ${settings.kubeRequests}`,
    );
    await measureSequential({
      count: 5,
      makeRequest: kubeRequest,
      check: checkKube,
      proxies,
    });
    const reference = await measureSequential({
      count: settings.kubeRequests,
      makeRequest: kubeRequest,
      check: checkKube,
      proxies,
    });
    results.kubernetesPluginReference = {
      ...reference,
      servers: counted(reference.servers),
    };

    log('full refreshes (warm: MLmodel verdicts are cached)');
    const refreshes = [];
    for (let i = 0; i < 3; i++) {
      const r = await measureOnce({
        url: `${api}/ml-platform/refresh`,
        init: { ...auth, method: 'POST' },
        proxies,
      });
      refreshes.push({ ms: r.ms, ...counted(r.servers) });
    }
    results.warmRefresh = refreshes;
    results.memoryAfterRefresh = await backend.memory();
  } finally {
    await backend.stop();
    await Promise.all(proxies.map(p => p.close()));
  }

  for (const key of ['listModels', 'getModel', 'kubernetesPluginReference']) {
    delete results[key].durations;
  }
  const file = writeResults(results, {
    suffix: `-${settings.models}x${settings.versionsPerModel}`,
  });
  printReport(results);
  log(`results: ${file}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
