import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

/**
 * A reverse proxy on 127.0.0.1 that counts every request it passes on, so the
 * benchmark reads how many requests the backend really sent to a server.
 * Responses are streamed, so long-lived Kubernetes watches work through it.
 *
 * target: the server's URL; tls: { cert, key, ca } to listen with TLS (the
 * apiserver's own certificate) and trust the target's CA.
 */
export async function startCountingProxy({ target, tls }) {
  const upstream = new URL(target);
  const client = upstream.protocol === 'https:' ? https : http;
  const agent = new client.Agent({
    keepAlive: true,
    ...(tls && { ca: fs.readFileSync(tls.ca) }),
  });
  const counts = new Map();
  let total = 0;
  let firstAt;
  let lastAt;

  // Time the server took per path, up to the end of each response (not for watches).
  const busyMs = new Map();

  function count(req) {
    const url = new URL(req.url, 'http://proxy');
    const watch = url.searchParams.get('watch') === 'true' ? ' (watch)' : '';
    const key = `${req.method} ${url.pathname}${watch}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total += 1;
    firstAt ??= Date.now();
    lastAt = Date.now();
    return key;
  }

  function handle(req, res) {
    const key = count(req);
    const started = performance.now();
    const forward = client.request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      upstreamRes => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => {
          busyMs.set(key, (busyMs.get(key) ?? 0) + performance.now() - started);
        });
      },
    );
    forward.on('error', e => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e.message));
    });
    // A client that hangs up (the end of a watch) closes the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  }

  const server = tls
    ? https.createServer(
        { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) },
        handle,
      )
    : http.createServer(handle);
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    /** Requests so far, in all and by method and path. */
    snapshot: () => ({
      total,
      byPath: Object.fromEntries(counts),
      msByPath: Object.fromEntries(busyMs),
      firstAt,
      lastAt,
    }),
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/**
 * A counting proxy in front of a platform instance's apiserver, serving its
 * own certificate so the backend trusts it as it would the apiserver.
 */
export function startApiserverCountingProxy(state, kubeInfo) {
  const pki = path.join(state, 'kube/pki');
  return startCountingProxy({
    target: kubeInfo.server,
    tls: {
      cert: path.join(pki, 'apiserver.crt'),
      key: path.join(pki, 'apiserver.key'),
      ca: kubeInfo.caFile,
    },
  });
}

/** Requests between two snapshots, by path, leaving out paths that saw none. */
export function countsBetween(before, after) {
  const byPath = {};
  for (const [key, n] of Object.entries(after.byPath)) {
    const delta = n - (before.byPath[key] ?? 0);
    if (delta > 0) byPath[key] = delta;
  }
  const msByPath = {};
  for (const [key, ms] of Object.entries(after.msByPath)) {
    const delta = ms - (before.msByPath[key] ?? 0);
    if (delta > 0) msByPath[key] = Math.round(delta);
  }
  return { total: after.total - before.total, byPath, msByPath };
}
