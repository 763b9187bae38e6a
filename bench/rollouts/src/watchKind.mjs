import fs from 'node:fs';
import https from 'node:https';

/**
 * A raw `?watch=1` stream on one resource kind of the apiserver, opened by
 * the benchmark itself (not the backend), so "changed in the apiserver" is
 * seen the way any other client of the cluster would see it.
 * waitFor(name, predicate) resolves with the time (performance.now()) of the
 * first event after the call whose object satisfies the predicate.
 */
export async function watchKind(kube, collectionPath) {
  const url = new URL(kube.server);
  const ca = fs.readFileSync(kube.caFile);
  const headers = { Authorization: `Bearer ${kube.token}` };
  const get = path =>
    new Promise((resolve, reject) => {
      https
        .get({ host: url.hostname, port: url.port, path, ca, headers }, res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', d => (text += d));
          res.on('end', () => resolve(JSON.parse(text)));
        })
        .on('error', reject);
    });
  const list = await get(collectionPath);
  const latest = new Map(list.items.map(o => [o.metadata.name, o]));
  const waiters = new Set();

  const req = https.get({
    host: url.hostname,
    port: url.port,
    path: `${collectionPath}?watch=1&allowWatchBookmarks=false&resourceVersion=${list.metadata.resourceVersion}`,
    ca,
    headers,
  });
  await new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', res => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', chunk => {
        const at = performance.now();
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          const object = event.object;
          if (!object?.metadata?.name) continue;
          latest.set(object.metadata.name, object);
          for (const w of waiters) {
            if (w.name === object.metadata.name && w.predicate(object)) {
              waiters.delete(w);
              w.resolve(at);
            }
          }
        }
      });
      resolve();
    });
  });

  return {
    waitFor(name, predicate, timeoutMs = 600_000) {
      return new Promise((resolve, reject) => {
        const w = { name, predicate, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) {
            reject(
              new Error(`watch: ${name} did not change within ${timeoutMs} ms`),
            );
          }
        }, timeoutMs).unref();
      });
    },
    close: () => req.destroy(),
  };
}
