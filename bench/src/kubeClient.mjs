import fs from 'node:fs';
import https from 'node:https';

/** A minimal client for the bench apiserver, with the admin token of kube.json. */
export function createKubeClient(kube) {
  const url = new URL(kube.server);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 32,
    ca: fs.readFileSync(kube.caFile),
  });

  function request(method, path, body, contentType = 'application/json') {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            Authorization: `Bearer ${kube.token}`,
            Accept: 'application/json',
            ...(payload && {
              'Content-Type': contentType,
              'Content-Length': Buffer.byteLength(payload),
            }),
          },
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', d => (text += d));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 400 && status !== 404) {
              reject(
                new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`),
              );
              return;
            }
            resolve({ status, body: text ? JSON.parse(text) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  return {
    get: path => request('GET', path),
    /** Server-side apply: creates or updates, so a rerun of the seed changes nothing. */
    apply: (path, object) =>
      request(
        'PATCH',
        `${path}?fieldManager=ml-platform-bench&force=true`,
        object,
        'application/apply-patch+yaml',
      ),
    close: () => agent.destroy(),
  };
}
