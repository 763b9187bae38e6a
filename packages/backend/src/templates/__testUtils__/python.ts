import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../testing/startBackendProcess';

/** Downloads and venvs of generated services live outside the repository. */
const CACHE_DIR = path.join(
  process.env.ML_PLATFORM_CACHE ??
    path.join(
      process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
      'ml-platform',
    ),
);
const PIP_CACHE_DIR = path.join(CACHE_DIR, 'pip');

/** Runs a command, failing with its output; returns stdout. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status}:\n${
        result.stdout
      }\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function pipInstall(venv: string, args: string[], cwd?: string) {
  run(
    path.join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', ...args],
    { cwd, env: { PIP_CACHE_DIR } },
  );
}

/** A fresh virtualenv in dir with the requirements file installed. */
export function freshVenv(dir: string, requirementsFile: string): string {
  const venv = path.join(dir, '.venv');
  run('python3', ['-m', 'venv', venv]);
  pipInstall(venv, ['-r', requirementsFile], path.dirname(requirementsFile));
  return venv;
}

/**
 * A virtualenv with the requirements file installed (with `pipArgs` more),
 * built once per content of that file (and the files it includes) and reused
 * by later runs.
 */
export function cachedVenv(
  name: string,
  requirementsFile: string,
  pipArgs: string[] = [],
): string {
  const dir = path.dirname(requirementsFile);
  const hash = crypto.createHash('sha256');
  for (const f of fs
    .readdirSync(dir)
    .filter(n => /^requirements.*\.txt$/.test(n))
    .sort()) {
    hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  }
  hash.update(JSON.stringify(pipArgs));
  const venv = path.join(
    CACHE_DIR,
    `${name}-venv-${hash.digest('hex').slice(0, 12)}`,
  );
  if (!fs.existsSync(path.join(venv, '.complete'))) {
    fs.rmSync(venv, { recursive: true, force: true });
    run('python3', ['-m', 'venv', venv]);
    pipInstall(venv, [...pipArgs, '-r', requirementsFile], dir);
    fs.writeFileSync(path.join(venv, '.complete'), '');
  }
  return venv;
}

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

/** Starts `uvicorn app.main:app` of a generated service on 127.0.0.1 and waits for /readyz. */
export async function startUvicorn(options: {
  venv: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    path.join(options.venv, 'bin', 'uvicorn'),
    ['app.main:app', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', d => (output += d));
  child.stderr.on('data', d => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`uvicorn exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`uvicorn did not become ready on ${url}:\n${output}`);
}

/** Runs a command to its end and answers its status and output, failing or not. */
export function runToExit(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
) {
  return spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}
