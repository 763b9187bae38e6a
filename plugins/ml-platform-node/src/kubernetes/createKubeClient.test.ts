import http from 'node:http';
import net from 'node:net';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import { createKubeClient } from './createKubeClient';
import { kubeConfigFor } from './kubeConfigFor';
import {
  KubeApiError,
  KubeConflictError,
  KubeNotFoundError,
  KubeTimeoutError,
  KubeUnreachableError,
} from './kubeErrors';
import type { WatchableCluster } from './readClusters';

const ROUTES = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};
const SERVICES = { group: '', version: 'v1', plural: 'services' };

type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
) => void;

/**
 * An apiserver stand-in on 127.0.0.1 that answers each request with the next
 * handler of the test, and records what it was sent.
 */
async function startServer() {
  const handlers: Handler[] = [];
  const seen: Array<{
    method: string;
    url: string;
    contentType?: string;
    authorization?: string;
    body: string;
  }> = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      });
      const handler = handlers.shift();
      if (!handler) {
        res.writeHead(500).end('no handler left');
        return;
      }
      handler(req, res, body);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    /** The next answers, in order. */
    answer(...next: Handler[]) {
      handlers.push(...next);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise(r => server.close(r));
    },
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const stall = () => {};
const reset = (req: http.IncomingMessage) => req.socket.destroy();
const trickle = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 50);
  res.on('close', () => clearInterval(timer));
};
const status = (code: number, reason: string, message: string) =>
  json(code, { kind: 'Status', status: 'Failure', code, reason, message });

function cluster(url: string, token = 't0ken'): WatchableCluster {
  return {
    name: 'test',
    url,
    authProvider: 'serviceAccount',
    getToken: async () => token,
    skipTLSVerify: false,
    inCluster: false,
  };
}

function client(url: string, policy = {}) {
  return createKubeClient('test', kubeConfigFor(cluster(url)), {
    policy: { timeoutMs: 500, attempts: 4, backoffMs: 20, ...policy },
  });
}

let server: Awaited<ReturnType<typeof startServer>>;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe('createKubeClient', () => {
  describe('bounds every request in time', () => {
    it('ends a read the apiserver never answers at its bound', async () => {
      server.answer(stall, stall, stall, stall);
      const started = Date.now();
      const error = await client(server.url)
        .get(ROUTES, 'ml-prod', 'scorer')
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeTimeoutError);
      expect(error.message).toBe(
        'httproutes.gateway.networking.k8s.io ml-prod/scorer: the apiserver did not answer within 0.5 s',
      );
      expect(Date.now() - started).toBeLessThan(2000);
      // A stall is no answer to try again: the bound is for the request as a whole.
      expect(server.seen).toHaveLength(1);
    });

    it('ends an answer that never ends at the same bound', async () => {
      server.answer(trickle);
      const started = Date.now();
      await expect(
        client(server.url).list(SERVICES, { namespace: 'ml-prod' }),
      ).rejects.toThrow(
        'Listing services in ml-prod: the apiserver did not answer within 0.5 s',
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('says that a write without an answer may have been applied', async () => {
      server.answer(stall);
      await expect(
        client(server.url).jsonPatch(ROUTES, 'ml-prod', 'scorer', [
          { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        ]),
      ).rejects.toThrow(
        'httproutes.gateway.networking.k8s.io ml-prod/scorer: the apiserver did not answer within 0.5 s; the change may or may not have been applied: read the object before trying again',
      );
    });

    it('takes a shorter bound and a caller signal for one call', async () => {
      server.answer(stall, stall);
      const kube = client(server.url, { timeoutMs: 60_000 });
      const started = Date.now();
      await expect(
        kube.withTimeout(200).get(SERVICES, 'ml-prod', 'a'),
      ).rejects.toThrow('did not answer within 0.2 s');
      await expect(
        kube.withSignal(AbortSignal.timeout(200)).get(SERVICES, 'ml-prod', 'a'),
      ).rejects.toBeInstanceOf(KubeTimeoutError);
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe('tries again by status and error code', () => {
    it('reads again after 503 and answers the 200 that follows', async () => {
      server.answer(
        status(503, 'ServiceUnavailable', 'apiserver is starting'),
        json(200, { metadata: { name: 'a', resourceVersion: '7' } }),
      );
      await expect(
        client(server.url).get(SERVICES, 'ml-prod', 'a'),
      ).resolves.toEqual({ metadata: { name: 'a', resourceVersion: '7' } });
      expect(server.seen.map(r => `${r.method} ${r.url}`)).toEqual([
        'GET /api/v1/namespaces/ml-prod/services/a',
        'GET /api/v1/namespaces/ml-prod/services/a',
      ]);
      expect(server.seen[1].authorization).toBe('Bearer t0ken');
    });

    it('sends a write again after a 429: the apiserver shed it unhandled', async () => {
      server.answer(
        status(429, 'TooManyRequests', 'too many requests'),
        json(201, { metadata: { name: 'a' } }),
      );
      await expect(
        client(server.url).create(SERVICES, 'ml-prod', {
          metadata: { name: 'a' },
        }),
      ).resolves.toEqual({ metadata: { name: 'a' } });
      expect(server.seen.map(r => `${r.method} ${r.url}`)).toEqual([
        'POST /api/v1/namespaces/ml-prod/services',
        'POST /api/v1/namespaces/ml-prod/services',
      ]);
    });

    it('honours Retry-After within the bound, and gives up when it is longer', async () => {
      server.answer(
        json(
          429,
          { kind: 'Status', code: 429, reason: 'TooManyRequests' },
          { 'retry-after': '0' },
        ),
        json(200, { items: [] }),
        json(
          429,
          { kind: 'Status', code: 429, reason: 'TooManyRequests' },
          { 'retry-after': '30' },
        ),
      );
      const kube = client(server.url);
      await expect(kube.list(SERVICES)).resolves.toEqual([]);
      const started = Date.now();
      await expect(kube.list(SERVICES)).rejects.toThrow(
        'Listing services: 429 TooManyRequests',
      );
      expect(Date.now() - started).toBeLessThan(400);
      expect(server.seen).toHaveLength(3);
    });

    it('does not send a write again after 503: the apiserver may have applied it', async () => {
      server.answer(status(503, 'ServiceUnavailable', 'etcd is away'));
      const error = await client(server.url)
        .mergePatch(ROUTES, 'ml-prod', 'scorer', { spec: {} })
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error.kubeStatus).toMatchObject({ status: 503 });
      expect(error.message).toBe(
        'httproutes.gateway.networking.k8s.io ml-prod/scorer: 503 ServiceUnavailable: etcd is away',
      );
      expect(server.seen).toHaveLength(1);
    });

    it('reads again after a connection reset, but sends no write again', async () => {
      server.answer(reset, json(200, { items: [{ metadata: { name: 'a' } }] }));
      await expect(client(server.url).list(SERVICES)).resolves.toEqual([
        { metadata: { name: 'a' } },
      ]);
      expect(server.seen).toHaveLength(2);

      server.answer(reset);
      const error = await client(server.url)
        .jsonPatch(SERVICES, 'ml-prod', 'a', [])
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeUnreachableError);
      expect(error.code).toBe('ECONNRESET');
      expect(server.seen).toHaveLength(3);
    });

    it('sends a write again while the connection is refused, and it lands once the apiserver is back', async () => {
      // A port nothing listens on yet; the apiserver comes up there shortly.
      const probe = net.createServer();
      await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
      const { port } = probe.address() as net.AddressInfo;
      await new Promise(r => probe.close(r));
      const late = http.createServer((_req, res) =>
        json(201, { metadata: { name: 'a' } })(_req, res),
      );
      setTimeout(() => late.listen(port, '127.0.0.1'), 150);
      try {
        const kube = client(`http://127.0.0.1:${port}`, {
          timeoutMs: 3000,
          attempts: 6,
          backoffMs: 100,
        });
        await expect(
          kube.create(SERVICES, 'ml-prod', { metadata: { name: 'a' } }),
        ).resolves.toEqual({ metadata: { name: 'a' } });
      } finally {
        late.closeAllConnections();
        await new Promise(r => late.close(r));
      }
    });

    it('gives up after its attempts and says why', async () => {
      const down = status(502, 'BadGateway', 'no upstream');
      server.answer(down, down, down, down, down);
      await expect(client(server.url).list(SERVICES)).rejects.toThrow(
        'Listing services: 502 BadGateway: no upstream',
      );
      expect(server.seen).toHaveLength(4);
    });
  });

  describe('errors the callers tell apart', () => {
    it('a 404 is a NotFoundError, and a list of a resource not served is empty', async () => {
      server.answer(
        status(404, 'NotFound', 'httproutes "x" not found'),
        status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      );
      const kube = client(server.url);
      const error = await kube.get(ROUTES, 'ml-prod', 'x').catch(e => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toBeInstanceOf(KubeNotFoundError);
      expect(error.message).toBe(
        'httproutes.gateway.networking.k8s.io ml-prod/x not found',
      );
      await expect(kube.list(ROUTES)).resolves.toEqual([]);
    });

    it('a guarded JSON patch whose test fails because the object changed is a ConflictError', async () => {
      server.answer(
        status(
          422,
          'Invalid',
          'the server rejected our request due to an error in our request',
        ),
        json(200, { metadata: { name: 'scorer', resourceVersion: '8' } }),
      );
      const error = await client(server.url)
        .jsonPatch(ROUTES, 'ml-prod', 'scorer', [
          { op: 'test', path: '/metadata/resourceVersion', value: '7' },
          { op: 'replace', path: '/spec/x', value: 1 },
        ])
        .catch(e => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(
        'httproutes.gateway.networking.k8s.io ml-prod/scorer changed since it was read; nothing was applied. Read it again and retry.',
      );
      expect(server.seen[0]).toMatchObject({
        method: 'PATCH',
        contentType: 'application/json-patch+json',
      });
    });

    it('a 422 of a patch that was at the expected version is the apiserver’s own refusal', async () => {
      server.answer(
        status(422, 'Invalid', 'spec.x: Invalid value'),
        json(200, { metadata: { name: 'scorer', resourceVersion: '7' } }),
      );
      const error = await client(server.url)
        .jsonPatch(ROUTES, 'ml-prod', 'scorer', [
          { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        ])
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error.message).toBe(
        'httproutes.gateway.networking.k8s.io ml-prod/scorer: 422 Invalid: spec.x: Invalid value',
      );
    });

    it('a 409 of a merge patch with a resourceVersion is a ConflictError', async () => {
      server.answer(status(409, 'Conflict', 'the object has been modified'));
      await expect(
        client(server.url).mergePatch(
          ROUTES,
          'ml-prod',
          'scorer',
          { metadata: { resourceVersion: '7' } },
          { subresource: 'status' },
        ),
      ).rejects.toBeInstanceOf(KubeConflictError);
      expect(server.seen[0]).toMatchObject({
        method: 'PATCH',
        url: '/apis/gateway.networking.k8s.io/v1/namespaces/ml-prod/httproutes/scorer/status',
        contentType: 'application/merge-patch+json',
      });
    });

    it('text from a proxy in between is said as it is', async () => {
      server.answer((_req, res) => res.writeHead(403).end('denied by proxy'));
      await expect(client(server.url).list(SERVICES)).rejects.toThrow(
        'Listing services: 403 Forbidden: denied by proxy',
      );
    });
  });

  describe('server-side apply', () => {
    const discovery = json(200, {
      kind: 'APIResourceList',
      groupVersion: 'gateway.networking.k8s.io/v1',
      resources: [
        { name: 'httproutes', namespaced: true, kind: 'HTTPRoute', verbs: [] },
      ],
    });
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'scorer', namespace: 'ml-prod' },
      spec: { hostnames: ['scorer.example.com'] },
    };

    it('with strict field validation, refused when the manifest has a field the kind lacks', async () => {
      server.answer(
        discovery,
        status(
          400,
          'BadRequest',
          '.spec.hostname: field not declared in schema',
        ),
      );
      const error = await client(server.url)
        .apply(route, {
          fieldManager: 'seed',
          force: true,
          fieldValidation: 'Strict',
        })
        .catch(e => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error.message).toBe(
        'HTTPRoute ml-prod/scorer: 400 BadRequest: .spec.hostname: field not declared in schema',
      );
      const apply = new URL(server.seen[1].url, server.url);
      expect(apply.pathname).toBe(
        '/apis/gateway.networking.k8s.io/v1/namespaces/ml-prod/httproutes/scorer',
      );
      expect(Object.fromEntries(apply.searchParams)).toEqual({
        fieldManager: 'seed',
        force: 'true',
        fieldValidation: 'Strict',
      });
      expect(server.seen[1]).toMatchObject({
        method: 'PATCH',
        contentType: 'application/apply-patch+yaml',
      });
      expect(JSON.parse(server.seen[1].body)).toEqual(route);
    });
  });

  describe('watches', () => {
    it('report a watch that cannot connect and recover when it can', async () => {
      const list = json(200, {
        kind: 'ServiceList',
        metadata: { resourceVersion: '10' },
        items: [{ metadata: { name: 'a', namespace: 'ns' } }],
      });
      // The list answers, the watch connection stalls; the next one works.
      server.answer(list, stall, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(
          `${JSON.stringify({
            type: 'ADDED',
            object: {
              metadata: { name: 'b', namespace: 'ns', resourceVersion: '11' },
            },
          })}\n`,
        );
      });
      const onChange = jest.fn();
      const kube = createKubeClient(
        'test',
        kubeConfigFor(cluster(server.url), { watchConnectTimeoutMs: 300 }),
        { policy: { timeoutMs: 1000, backoffMs: 20 } },
      );
      const watch = kube.watch(SERVICES, {
        labelSelector: 'ml-platform.io/model',
        retry: {
          initialBackoffMs: 50,
          maxBackoffMs: 50,
          notInstalledRecheckMs: 60_000,
        },
        logger: mockServices.logger.mock(),
        onChange,
      });
      try {
        await watch.start();
        expect(watch.objects().map(o => o.metadata?.name)).toEqual(['a']);
        const deadline = Date.now() + 5000;
        while (watch.objects().length < 2 && Date.now() < deadline) {
          await new Promise(r => setTimeout(r, 50));
        }
        expect(
          watch
            .objects()
            .map(o => o.metadata?.name)
            .sort(),
        ).toEqual(['a', 'b']);
        expect(watch.state().error).toBeUndefined();
        // The stalled watch ended at its bound and was opened again from
        // the list's resourceVersion, which needs no second list.
        expect(server.seen.map(r => r.url)).toEqual([
          '/api/v1/services?labelSelector=ml-platform.io%2Fmodel',
          '/api/v1/services?watch=true&resourceVersion=10&labelSelector=ml-platform.io%2Fmodel',
          '/api/v1/services?watch=true&resourceVersion=10&labelSelector=ml-platform.io%2Fmodel',
        ]);
        expect(onChange).toHaveBeenCalled();
      } finally {
        await watch.stop();
      }
    });
  });
});
