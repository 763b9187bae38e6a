import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnBackend } from '../../src/startBackend.mjs';
import { latencySummary, round } from '../../src/stats.mjs';
import { REPO_ROOT } from '../../src/settings.mjs';
import { writeResults } from '../../src/writeResults.mjs';

// Through the real gateway (Traefik) to the real pods of the demo's model
// services on the local platform's real node.

const intFromEnv = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer`);
  return value;
};
const REQUESTS = intFromEnv('REQUESTS', 2000);
const CONCURRENCY = intFromEnv('CONCURRENCY', 8);
const CHANGES = intFromEnv('CHANGES', 20);
// A share counts as observed once this many answers in a row came from the new version.
const IN_A_ROW = 10;
const CHANGE_TIMEOUT_MS = 60_000;

const STATE =
  process.env.ML_PLATFORM_STATE || path.join(REPO_ROOT, '.local/platform');
const platformFile = name =>
  JSON.parse(fs.readFileSync(path.join(STATE, `${name}.json`), 'utf8'));
const gateway = platformFile('gateway');
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

// One version alone: fraud-detector v6 in ml-staging has all of its route's traffic.
const SINGLE = 'fraud-scorer.ml-staging.ml.example.com';
// Two versions whose split the portal changes: fraud-detector v5 and v6 in ml-prod.
const SPLIT = 'fraud-scorer.ml-prod.ml.example.com';
const BODY = JSON.stringify({ inputs: [[120.5, 3, 0.8, 42.0, 30, 6]] });

/** One POST /predict through the gateway: its duration and the version that answered. */
function predict(host) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        method: 'POST',
        path: '/predict',
        agent,
        headers: {
          host,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(BODY),
        },
      },
      res => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200)
            reject(new Error(`${host} answered ${res.statusCode}`));
          else
            resolve({
              ms: Number(process.hrtime.bigint() - started) / 1e6,
              version: String(res.headers['x-model-version']),
              at: Date.now(),
            });
        });
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function throughput(host, count, concurrency) {
  let sent = 0;
  const durations = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        sent++;
        durations.push((await predict(host)).ms);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    concurrency,
    requests: count,
    seconds: round(seconds, 2),
    rps: round(count / seconds),
    ...latencySummary(durations),
  };
}

async function portal() {
  const backend = await spawnBackend({
    configFiles: [path.join(STATE, 'app-config.platform.yaml')],
    logFile: path.join(os.tmpdir(), `bench-serving-backend-${process.pid}.log`),
    memoryFile: path.join(
      os.tmpdir(),
      `bench-serving-memory-${process.pid}.json`,
    ),
  });
  // The guest is a member of fraud-ml, which owns fraud-detector, once the
  // catalog has read the org: a token issued before names only the user.
  let token;
  for (let i = 0; ; i++) {
    token = await backend.signInAsGuest();
    const res = await fetch(
      `${backend.baseUrl}/api/catalog/entities/by-name/group/default/fraud-ml`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    const models = await fetch(
      `${backend.baseUrl}/api/ml-platform/models/fraud-detector`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    if (res.ok && models.ok && (await models.json()).deployments?.length) break;
    if (i > 600) throw new Error('the portal never showed fraud-detector');
    await new Promise(r => setTimeout(r, 500));
  }
  token = await backend.signInAsGuest();
  return {
    backend,
    async split(weights) {
      const res = await fetch(`${backend.baseUrl}/api/ml-platform/rollouts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'fraud-detector',
          cluster: 'local',
          namespace: 'ml-prod',
          strategy: 'split',
          weights,
        }),
      });
      if (!res.ok)
        throw new Error(
          `split ${JSON.stringify(weights)}: ${res.status} ${await res.text()}`,
        );
      return res.json();
    },
  };
}

/**
 * Flips all of ml-prod's fraud-detector traffic between v5 and v6 through the
 * portal, CHANGES times; for each, the time from sending the change to the
 * first of IN_A_ROW answers in a row from the new version at the gateway.
 */
async function weightChanges(p) {
  const delays = [];
  for (let i = 0; i < CHANGES; i++) {
    const to = i % 2 === 0 ? '6' : '5';
    const from = to === '6' ? '5' : '6';
    const sent = Date.now();
    await p.split({ [to]: 100, [from]: 0 });
    let run = 0;
    let firstOfRun = 0;
    for (;;) {
      const answer = await predict(SPLIT);
      if (answer.version === to) {
        if (run++ === 0) firstOfRun = answer.at;
        if (run >= IN_A_ROW) break;
      } else {
        run = 0;
      }
      if (Date.now() - sent > CHANGE_TIMEOUT_MS)
        throw new Error(`the gateway never served v${to} alone`);
    }
    delays.push(firstOfRun - sent);
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  return latencySummary(delays);
}

const date = new Date().toISOString();
console.log(
  `warming up, then ${REQUESTS} requests to ${SINGLE} at concurrency 1 and ${CONCURRENCY}`,
);
await throughput(SINGLE, 100, CONCURRENCY);
const sequential = await throughput(SINGLE, Math.min(REQUESTS, 1000), 1);
const concurrent = await throughput(SINGLE, REQUESTS, CONCURRENCY);
console.table({
  'concurrency 1': sequential,
  [`concurrency ${CONCURRENCY}`]: concurrent,
});

console.log(
  `${CHANGES} weight changes through the portal, each until the gateway serves the new share`,
);
const p = await portal();
let changes;
try {
  changes = await weightChanges(p);
} finally {
  // The demo's split as seeded.
  await p
    .split({ 5: 90, 6: 10 })
    .catch(e => console.error(`restoring the split: ${e}`));
  await p.backend.stop();
}
console.table({ 'change → new share at the gateway (ms)': changes });

const results = {
  date,
  gateway: gateway.implementation,
  machine: {
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map(l => round(l, 2)),
  },
  singleVersion: { host: SINGLE, sequential, concurrent },
  weightChange: { host: SPLIT, changes: CHANGES, inARow: IN_A_ROW, ...changes },
};
console.log(`results: ${writeResults(results, { prefix: 'serving-' })}`);
