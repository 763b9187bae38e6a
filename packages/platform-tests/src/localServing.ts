import http from 'node:http';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeRequest } from './localCluster';
import { readPlatformFile } from './platformEnv';

/**
 * The serving side of the local platform (scripts/platform/node.sh,
 * registry.sh, gateway.sh, rollouts.sh, prometheus.sh): a real node, the
 * gateway on 127.0.0.1 and what answered through it.
 */

/** `gateway.json`: Traefik's Gateway listener and API on 127.0.0.1. */
export interface LocalGateway {
  url: string;
  port: number;
  apiUrl: string;
  metricsUrl: string;
}

/** An answer that came through the gateway. */
export interface GatewayAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

// One pool of connections for all requests of a test file, as a client
// behind a load balancer would keep them; the gateway balances each request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/**
 * Sends one request to the gateway for the routes of `hostname` (an
 * HTTPRoute's `hostnames` entry), as a client resolving that name to the
 * gateway would.
 */
export function gatewayRequest(
  hostname: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<GatewayAnswer> {
  const gateway = readPlatformFile<LocalGateway>('gateway');
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        method,
        path: urlPath,
        agent,
        headers: {
          host: hostname,
          ...(data
            ? {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(data),
              }
            : {}),
        },
        timeout: 30_000,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: parsed,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('gateway timeout')));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/**
 * Sends `count` requests (`concurrency` at a time) and counts the answers by
 * the model version that gave them (the `X-Model-Version` header every
 * generated model service sets). Any answer but a 200 fails.
 */
export async function countAnswersByVersion(
  hostname: string,
  count: number,
  request: { method: string; path: string; body?: unknown },
  concurrency = 8,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      const res = await gatewayRequest(
        hostname,
        request.method,
        request.path,
        request.body,
      );
      if (res.status !== 200) {
        throw new Error(
          `${hostname}${request.path} answered ${res.status}: ${JSON.stringify(
            res.body,
          )}`,
        );
      }
      const version = String(res.headers['x-model-version'] ?? 'none');
      counts[version] = (counts[version] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

/** `images.json`: the demo's images that `registry.sh seed` built. */
export interface LocalImages {
  models: Record<string, string>;
  processing: Record<string, string>;
  refused: Record<string, string>;
}

// Tests run from source, never from a bundle, so __dirname is this folder.
// eslint-disable-next-line no-restricted-syntax
const PLATFORM_SCRIPTS = path.resolve(__dirname, '../../../scripts/platform');

/**
 * The platform's image builder (`registry.sh build-image`): builds the
 * Dockerfile of a rendered template output and pushes it to the local
 * registry as `ml/<name>:<tag>`. Resolves to the image reference, or
 * rejects with the builder's reason (for a model service, the loader's
 * refusal of a model that would unpickle).
 */
export async function buildServiceImage(
  contextDir: string,
  name: string,
  tag: string,
): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(
      path.join(PLATFORM_SCRIPTS, 'registry.sh'),
      ['build-image', contextDir, name, tag],
      { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 },
    );
    return stdout.trim();
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? e).trim();
    throw new Error(stderr.split('\n').pop() ?? stderr);
  }
}

/** The label and taint that put a pod on the real node (node.sh). */
export const REAL_NODE = {
  name: 'ml-node',
  toleration: {
    key: 'ml-platform.io/node',
    operator: 'Equal',
    value: 'real',
    effect: 'NoSchedule',
  },
};

/**
 * Creates a namespace whose pods run on the real node: its default
 * tolerations (PodTolerationRestriction) name the real node's taint alone, as
 * the seed's serving namespaces do.
 */
export async function createServingNamespace(name: string): Promise<void> {
  const created = await kubeRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      annotations: {
        'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([
          REAL_NODE.toleration,
        ]),
      },
    },
  });
  if (created.status !== 201) {
    throw new Error(`creating ${name}: ${JSON.stringify(created.body)}`);
  }
}
