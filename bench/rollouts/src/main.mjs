import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  countsBetween,
  startApiserverCountingProxy,
} from '../../src/countingProxy.mjs';
import { createBenchKube, RESOURCES } from '../../src/kubeClient.mjs';
import { mapPool } from '../../src/pool.mjs';
import { readPlatformFile } from '../../src/settings.mjs';
import { startBackend } from '../../src/startBackend.mjs';
import { latencySummary, round } from '../../src/stats.mjs';
import { writeResults } from '../../src/writeResults.mjs';
import { KINDS } from './expectations.mjs';
import { printRolloutReport } from './report.mjs';
import { seedAll } from './seed.mjs';
import {
  ROUTER_KINDS,
  rolloutModelName,
  rolloutSettings as S,
  routerKindOf,
} from './settings.mjs';
import { watchKind } from './watchKind.mjs';

const log = msg =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Components naming each model, owned by the guest, so the permission policy lets the guest roll out. */
function writeEntities(file) {
  const docs = Array.from({ length: S.models }, (_, i) =>
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: rolloutModelName(i),
        annotations: {
          'ml-platform.io/registered-model': `${
            S.registryId
          }/${rolloutModelName(i)}`,
        },
      },
      spec: {
        type: 'model-service',
        lifecycle: 'production',
        owner: 'user:default/guest',
      },
    }),
  );
  fs.writeFileSync(file, `${docs.join('\n---\n')}\n`);
}

/**
 * The requests a rollout sent, watches left out (they outlive it), with the
 * object names folded so that the same request reads the same across models.
 */
function apiserverRequests(counts) {
  const byRequest = {};
  let total = 0;
  for (const [key, n] of Object.entries(counts.byPath)) {
    if (key.endsWith('(watch)')) continue;
    const folded = key.replace(/\/roll-m\d+/g, '/<model>');
    byRequest[folded] = (byRequest[folded] ?? 0) + n;
    total += n;
  }
  return { total, byRequest };
}

async function main() {
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      loadAverageAtStart: os.loadavg().map(l => round(l, 2)),
    },
    settings: { ...S, state: undefined },
  };
  log(`seeding ${S.models} models x 2 versions`);
  await seedAll(log);

  const kubeInfo = readPlatformFile('kube');
  const mlflowInfo = readPlatformFile('mlflow');
  const entitiesFile = path.join(S.state, 'rollouts-entities.yaml');
  writeEntities(entitiesFile);
  // Environment config wins over the overlay startBackend writes: only these entities.
  process.env.APP_CONFIG_catalog_locations = JSON.stringify([
    { type: 'file', target: entitiesFile },
  ]);
  // The entities' file is where model ownership for rollouts comes from.
  process.env.APP_CONFIG_mlPlatform_ownership_trustedLocations = JSON.stringify(
    [`file:${entitiesFile}`],
  );
  // Between the backend and the apiserver: how many requests a rollout costs.
  const kubeProxy = await startApiserverCountingProxy(S.state, kubeInfo);
  log('booting packages/backend');
  const backend = await startBackend({
    kube: kubeInfo,
    kubeUrl: kubeProxy.url,
    mlflow: mlflowInfo,
    mlflowUrl: mlflowInfo.url,
  });
  const kube = createBenchKube(kubeInfo).client;
  const ns = S.namespace;
  const watches = {};
  try {
    const token = await backend.signInAsGuest();
    const headers = {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    };
    const api = async (method, p, body) => {
      const res = await fetch(`${backend.baseUrl}/api${p}`, {
        method,
        headers,
        body: body && JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };

    // Ready: the catalog holds the entities and the model catalog sees every routing object.
    const ready = performance.now();
    for (;;) {
      const models = await api(
        'GET',
        '/ml-platform/models?search=roll-m&limit=500',
      );
      const entities = await api(
        'GET',
        '/catalog/entities?filter=kind=component&fields=metadata.name',
      );
      const named = (entities.body ?? []).filter(e =>
        e.metadata.name.startsWith('roll-m'),
      ).length;
      if (models.body.totalCount >= S.models && named >= S.models) break;
      if (performance.now() - ready > 600_000)
        throw new Error(
          `not ready: ${models.body.totalCount} models listed, ${named} entities`,
        );
      await sleep(2000);
    }
    results.readyMs = round(performance.now() - ready);
    log(
      `backend ready in ${results.readyMs} ms after start (${backend.startupMs} ms boot)`,
    );

    for (const kind of ROUTER_KINDS) {
      watches[kind] = await watchKind(kube, RESOURCES[KINDS[kind].collection]);
    }
    const current = new Map(
      Array.from({ length: S.models }, (_, i) => [i, 10]),
    );

    /** One rollout of model i to `percent`; times the API answer and the watched change. */
    async function rollout(i, percent, extra = {}) {
      const kind = routerKindOf(i);
      const name = rolloutModelName(i);
      const seen = watches[kind].waitFor(
        name,
        o => KINDS[kind].percentOf(o) === percent,
      );
      seen.catch(() => {});
      const started = performance.now();
      const res = await api('POST', '/ml-platform/rollouts', {
        model: name,
        cluster: S.cluster,
        namespace: S.namespace,
        ...KINDS[kind].request(percent),
        ...extra,
      });
      const answered = performance.now();
      if (res.status !== 200) {
        return {
          status: res.status,
          body: res.body,
          apiMs: answered - started,
        };
      }
      const changedAt = await seen;
      current.set(i, percent);
      return {
        status: 200,
        body: res.body,
        apiMs: answered - started,
        changeMs: changedAt - started,
      };
    }

    // 1. Latency per router: sequential rollouts on one model of each kind.
    results.latency = {};
    for (const [k, kind] of ROUTER_KINDS.entries()) {
      const api_ = [];
      const change = [];
      const requests = [];
      let lastRequests;
      for (let n = 0; n < S.sequential + 3; n++) {
        const percent = KINDS[kind].states[n % 2];
        const before = kubeProxy.snapshot();
        const r = await rollout(k, percent);
        lastRequests = apiserverRequests(
          countsBetween(before, kubeProxy.snapshot()),
        );
        if (r.status !== 200)
          throw new Error(
            `${kind} rollout: ${r.status} ${JSON.stringify(r.body).slice(
              0,
              400,
            )}`,
          );
        // The first three warm up the path (JIT, connections).
        if (n < 3) continue;
        api_.push(r.apiMs);
        change.push(r.changeMs);
        requests.push(lastRequests.total);
      }
      results.latency[kind] = {
        api: latencySummary(api_),
        watched: latencySummary(change),
        apiserverRequests: {
          min: Math.min(...requests),
          max: Math.max(...requests),
          last: lastRequests.byRequest,
        },
      };
      log(
        `${kind}: API p50 ${results.latency[kind].api.p50Ms} ms, watched p50 ${
          results.latency[kind].watched.p50Ms
        } ms, ${requests.at(-1)} apiserver requests (${Object.entries(
          lastRequests.byRequest,
        )
          .map(([k_, v]) => `${v}x ${k_}`)
          .join(', ')})`,
      );
    }

    // 2. Throughput: one rollout per model, all models, at bounded concurrency.
    results.throughput = [];
    for (const [round_, level] of S.concurrencyLevels.entries()) {
      const target = i => {
        const kind = routerKindOf(i);
        if (kind === 'Rollout') return current.get(i) === 50 ? 10 : 50;
        const p = 30 + 10 * round_;
        return current.get(i) === p ? p + 5 : p;
      };
      const targets = new Map([...current.keys()].map(i => [i, target(i)]));
      const since = new Date().toISOString();
      const started = performance.now();
      const outcomes = await mapPool([...targets.keys()], level, i =>
        rollout(i, targets.get(i)),
      );
      const totalMs = performance.now() - started;
      const succeeded = outcomes.filter(o => o.status === 200).length;
      const failures = outcomes
        .filter(o => o.status !== 200)
        .map(o => `${o.status} ${JSON.stringify(o.body).slice(0, 200)}`);

      // No lost update: the apiserver holds each model's split, and the audit trail one succeeded row per model.
      let objectsMatching = 0;
      let auditOneSucceeded = 0;
      await mapPool([...targets.keys()], 16, async i => {
        const kind = routerKindOf(i);
        const name = rolloutModelName(i);
        const body = await kube.get(
          RESOURCES[KINDS[kind].collection],
          ns,
          name,
        );
        if (KINDS[kind].percentOf(body) === targets.get(i)) objectsMatching++;
        const audit = await api(
          'GET',
          `/ml-platform/models/${name}/rollouts?limit=20`,
        );
        const rows = (audit.body.items ?? []).filter(r => r.at >= since);
        if (rows.length === 1 && rows[0].result === 'succeeded')
          auditOneSucceeded++;
      });
      const entry = {
        concurrency: level,
        rollouts: targets.size,
        succeeded,
        failures: failures.slice(0, 5),
        totalMs: round(totalMs),
        rolloutsPerSecond: round((1000 * succeeded) / totalMs, 2),
        api: latencySummary(outcomes.map(o => o.apiMs)),
        watched: latencySummary(
          outcomes.filter(o => o.changeMs).map(o => o.changeMs),
        ),
        objectsMatching,
        auditOneSucceeded,
        loadAverage: os.loadavg().map(l => round(l, 2)),
      };
      results.throughput.push(entry);
      log(
        `concurrency ${level}: ${succeeded}/${targets.size} in ${entry.totalMs} ms (${entry.rolloutsPerSecond}/s); objects right ${objectsMatching}, audit right ${auditOneSucceeded}`,
      );
    }

    // 3. Contention: many rollouts on one route, all from the same resourceVersion.
    const victim = 0;
    const name = rolloutModelName(victim);
    const route = await kube.get(RESOURCES.httpRoutes, ns, name);
    const rv = route.metadata.resourceVersion;
    const percents = Array.from({ length: S.contenders }, (_, n) => 41 + n);
    const outcomes = await Promise.all(
      percents.map(p => rollout(victim, p, { expectedResourceVersion: rv })),
    );
    const winners = outcomes
      .map((o, n) => ({ ...o, percent: percents[n] }))
      .filter(o => o.status === 200);
    const after = await kube.get(RESOURCES.httpRoutes, ns, name);
    results.contention = {
      contenders: S.contenders,
      succeeded: winners.length,
      conflicts: outcomes.filter(o => o.status === 409).length,
      other: outcomes
        .filter(o => o.status !== 200 && o.status !== 409)
        .map(o => o.status),
      objectPercent: KINDS.HTTPRoute.percentOf(after),
      winnerPercent: winners[0]?.percent,
      objectEqualsWinner:
        winners.length === 1 &&
        KINDS.HTTPRoute.percentOf(after) === winners[0].percent,
      api: latencySummary(outcomes.map(o => o.apiMs)),
    };
    log(
      `contention: ${results.contention.succeeded} succeeded, ${results.contention.conflicts} conflicts, object = winner: ${results.contention.objectEqualsWinner}`,
    );
    results.loadAverageAtEnd = os.loadavg().map(l => round(l, 2));
  } finally {
    await Promise.all(Object.values(watches).map(w => w.close()));
    await backend.stop();
    await kubeProxy.close();
  }

  const file = writeResults(results, { prefix: 'rollouts-' });
  printRolloutReport(results);
  log(`results: ${file}`);
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
