import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { WatchableCluster } from '@mlplatform/plugin-ml-platform-node';

/** An apiserver's answer; `body` is parsed JSON, or the text if it is not JSON. */
export interface KubeResponse {
  status: number;
  body: any;
}

/** Requests to one cluster's apiserver with the cluster's own credentials. */
export type KubeHttp = (
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
) => Promise<KubeResponse>;

/**
 * A minimal apiserver client over node:https. The few calls the apply action
 * makes need no more, and this avoids loading the ESM-only client-node.
 */
export function createKubeHttp(cluster: WatchableCluster): KubeHttp {
  const ca = cluster.caData
    ? Buffer.from(cluster.caData, 'base64')
    : cluster.caFile && fs.readFileSync(cluster.caFile);
  const base = new URL(cluster.url);
  const transport = base.protocol === 'http:' ? http : https;

  return (method, path, body, contentType = 'application/json') => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          // One request at a time and no socket left open after the task.
          agent: false,
          ...(ca && { ca }),
          rejectUnauthorized: !cluster.skipTLSVerify,
          headers: {
            Authorization: `Bearer ${cluster.getToken()}`,
            Accept: 'application/json',
            ...(data !== undefined && { 'Content-Type': contentType }),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON, e.g. from a proxy in between: keep the text.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', e =>
        reject(
          new Error(`Cannot reach cluster '${cluster.name}': ${e.message}`),
        ),
      );
      req.end(data);
    });
  };
}
