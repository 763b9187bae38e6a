import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One request that went through a {@link CountingProxy}. */
export interface ProxiedRequest {
  path: string;
  query: URLSearchParams;
  at: number;
}

export interface CountingProxy {
  url: string;
  /** Every request forwarded so far, oldest first. */
  requests: ProxiedRequest[];
  /** How many requests went to a path (without its query) so far. */
  count(path: string): number;
  close(): Promise<void>;
}

/**
 * A reverse proxy on 127.0.0.1 in front of a real server that records what
 * passes, so a test can tell which backend replica sent which request.
 */
export async function startCountingProxy(
  target: string,
): Promise<CountingProxy> {
  const requests: ProxiedRequest[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    requests.push({
      path: url.pathname,
      query: url.searchParams,
      at: Date.now(),
    });
    const forwarded = http.request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', e => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forwarded);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: path => requests.filter(r => r.path === path).length,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
