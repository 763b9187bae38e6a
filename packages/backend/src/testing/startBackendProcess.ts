import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Polls fn until it returns a value other than undefined. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`Timed out waiting for ${what}: ${last}`);
}

// Only tests import this file, and they run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const BACKEND_DIR = path.resolve(__dirname, '../..');
const REPO_ROOT = path.resolve(BACKEND_DIR, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface BackendProcess {
  baseUrl: string;
  /** Signs in with the guest provider and returns a Backstage token. */
  signInAsGuest(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Boots the portal's real backend the way `yarn start` does (src/index.ts,
 * every plugin it wires, app-config.yaml plus the given config files and
 * `APP_CONFIG_*` variables of `env`), in a child process on a free port, and
 * waits until it answers.
 */
export async function startBackendProcess(
  options: { configs?: string[]; env?: Record<string, string> } = {},
): Promise<BackendProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const configArgs = (options.configs ?? []).length
    ? [path.join(REPO_ROOT, 'app-config.yaml'), ...options.configs!].flatMap(
        c => ['--config', c],
      )
    : [];
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      'src/index.ts',
      ...configArgs,
    ],
    {
      cwd: BACKEND_DIR,
      env: {
        ...process.env,
        ...options.env,
        NODE_ENV: 'development',
        APP_CONFIG_backend_baseUrl: JSON.stringify(baseUrl),
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_listen_host: JSON.stringify('127.0.0.1'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', code =>
      reject(new Error(`backend exited with ${code}:\n${output}`)),
    ),
  );
  exited.catch(() => {});
  await Promise.race([
    exited,
    eventually(async () => {
      const res = await fetch(`${baseUrl}/api/ml-platform/health`);
      return res.ok ? true : undefined;
    }, 'the backend to start'),
  ]);

  return {
    baseUrl,
    async signInAsGuest() {
      const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      if (!res.ok) {
        throw new Error(`guest sign-in failed: ${res.status}`);
      }
      return (await res.json()).backstageIdentity.token as string;
    },
    async stop() {
      if (child.exitCode === null) {
        const exit = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await exit;
      }
    },
  };
}
