import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, freePort } from './startBackendProcess';

// Only tests import this file, and they run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const BACKEND_DIST = path.join(REPO_ROOT, 'packages/backend/dist');
/** Built bundles, one per source hash (the newest only). */
const BUNDLE_CACHE = path.join(REPO_ROOT, '.local/backend-bundle');
/** Outside the repository, like the platform's builds: production installs. */
const CACHE_ROOT =
  process.env.ML_PLATFORM_CACHE ??
  path.join(os.homedir(), '.cache/ml-platform');
const MODULES_CACHE = path.join(CACHE_ROOT, 'backend-production-modules');
const APP_DIRS = path.join(CACHE_ROOT, 'backend-production-runs');

const sha256 = (...parts: Array<string | Buffer>) => {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 20);
};

const yarnRelease = () =>
  path.join(
    REPO_ROOT,
    /^yarnPath: *(.+)$/m
      .exec(fs.readFileSync(path.join(REPO_ROOT, '.yarnrc.yml'), 'utf8'))![1]
      .trim(),
  );

/** Jest's NODE_ENV=test would select no browserslist of the frontend build. */
const { NODE_ENV: _testEnv, ...buildEnv } = process.env;

function run(command: string, args: string[], cwd: string) {
  execFileSync(command, args, {
    cwd,
    env: buildEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Replaces `dir` by what `fill` writes into a fresh directory next to it. */
function createAtomically(dir: string, fill: (tmp: string) => void) {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.tmp-'));
  try {
    fill(tmp);
    // Older builds are dropped: the newest is the only one a run reuses.
    for (const old of fs.readdirSync(parent)) {
      if (!old.startsWith('.')) {
        fs.rmSync(path.join(parent, old), { recursive: true, force: true });
      }
    }
    fs.renameSync(tmp, dir);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** What the bundle is built from: every source file the backend ships, and the lockfile. */
function sourceHash(): string {
  const files = execFileSync(
    'git',
    [
      'ls-files',
      '--cached',
      '--others',
      '--exclude-standard',
      '--',
      'packages/backend',
      'packages/app',
      'plugins',
      'package.json',
      'yarn.lock',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
    .split('\n')
    .filter(f => f && !/\.test\.tsx?$|\/e2e-tests\//.test(f))
    .filter(f => fs.existsSync(path.join(REPO_ROOT, f)))
    .sort();
  return sha256(
    ...files.flatMap(f => [f, fs.readFileSync(path.join(REPO_ROOT, f))]),
  );
}

export interface ProductionBundle {
  bundle: string;
  skeleton: string;
}

/**
 * `yarn build:backend` as the image's build runs it (backend bundle with the
 * frontend and every workspace package it depends on), or the same build
 * made earlier from identical sources.
 */
export function buildProductionBundle(): ProductionBundle {
  const dir = path.join(BUNDLE_CACHE, sourceHash());
  const bundle = path.join(dir, 'bundle.tar.gz');
  const skeleton = path.join(dir, 'skeleton.tar.gz');
  if (!fs.existsSync(bundle)) {
    run(process.execPath, [yarnRelease(), 'build:backend'], REPO_ROOT);
    createAtomically(dir, tmp => {
      for (const file of ['bundle.tar.gz', 'skeleton.tar.gz']) {
        fs.copyFileSync(path.join(BACKEND_DIST, file), path.join(tmp, file));
      }
    });
  }
  return { bundle, skeleton };
}

/**
 * The production dependencies of the bundle, installed the way the
 * Dockerfile installs them (`yarn workspaces focus --all --production` on
 * the skeleton, packages from the npm registry through Yarn's cache), once
 * per lockfile and skeleton.
 */
function productionInstall(skeleton: string): string {
  const inputs = ['yarn.lock', 'package.json', '.yarnrc.yml'].map(f =>
    fs.readFileSync(path.join(REPO_ROOT, f)),
  );
  const dir = path.join(
    MODULES_CACHE,
    sha256(...inputs, fs.readFileSync(skeleton)),
  );
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    createAtomically(dir, tmp => {
      for (const f of ['yarn.lock', 'package.json', '.yarnrc.yml']) {
        fs.copyFileSync(path.join(REPO_ROOT, f), path.join(tmp, f));
      }
      fs.cpSync(
        path.join(REPO_ROOT, '.yarn/releases'),
        path.join(tmp, '.yarn/releases'),
        { recursive: true },
      );
      run('tar', ['xzf', skeleton], tmp);
      run(
        process.execPath,
        [yarnRelease(), 'workspaces', 'focus', '--all', '--production'],
        tmp,
      );
    });
  }
  return dir;
}

/** Every node_modules directory of an install, relative to it. */
function nodeModulesDirs(installDir: string): string[] {
  const found = ['node_modules'];
  for (const top of ['packages', 'plugins']) {
    const base = path.join(installDir, top);
    if (!fs.existsSync(base)) continue;
    for (const pkg of fs.readdirSync(base)) {
      const rel = path.join(top, pkg, 'node_modules');
      if (fs.existsSync(path.join(installDir, rel))) found.push(rel);
    }
  }
  return found;
}

/**
 * A directory laid out as the image's /app: production dependencies (hard
 * links into the cached install, so each run gets its own in a second), the
 * bundle unpacked over them, the config files, catalog and templates.
 * Returns it with a function that deletes it.
 */
export function prepareAppDir(bundle: ProductionBundle): {
  dir: string;
  remove(): void;
} {
  const install = productionInstall(bundle.skeleton);
  fs.mkdirSync(APP_DIRS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(APP_DIRS, `${process.pid}-`));
  for (const rel of nodeModulesDirs(install)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    run('cp', ['-al', path.join(install, rel), path.join(dir, rel)], dir);
  }
  run('tar', ['xzf', bundle.bundle], dir);
  for (const f of ['app-config.yaml', 'app-config.production.yaml']) {
    fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
  }
  for (const d of ['catalog', 'templates']) {
    fs.cpSync(path.join(REPO_ROOT, d), path.join(dir, d), {
      recursive: true,
      filter: src => !/\/(node_modules|\.venv|__pycache__)$/.test(src),
    });
  }
  return {
    dir,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ProductionProcess {
  baseUrl: string;
  /** What it has printed so far. */
  output(): string;
  /** SIGKILL: no shutdown hooks run, as when a node or pod dies. */
  kill(): Promise<void>;
  /** SIGTERM, as Kubernetes stops a pod. */
  stop(): Promise<void>;
}

/**
 * Starts the bundle as the image's command does (`node packages/backend`
 * with app-config.yaml and app-config.production.yaml, NODE_ENV=production)
 * plus one more config file, with nothing in its environment but `env`, on
 * 127.0.0.1 and a free port; resolves once Backstage reports it ready.
 */
export async function startProductionProcess(options: {
  appDir: string;
  config: string;
  env: Record<string, string>;
}): Promise<ProductionProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      options.config,
    ],
    {
      cwd: options.appDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        PORTAL_BASE_URL: baseUrl,
        APP_CONFIG_backend_listen_host: '127.0.0.1',
        APP_CONFIG_backend_listen_port: String(port),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Without the access log of every request, which would bury the rest.
  const keep = (chunk: Buffer) =>
    (output += String(chunk)
      .split('\n')
      .filter(line => !line.includes('"type":"incomingRequest"'))
      .join('\n'));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
      await exit;
    }
  };
  const exited = exit.then(() => {
    throw new Error(`the backend exited:\n${output.slice(-5000)}`);
  });
  exited.catch(() => {});
  try {
    await Promise.race([
      exited,
      eventually(
        async () => {
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
          return res.ok ? true : undefined;
        },
        'the production backend to be ready',
        180_000,
      ),
    ]);
  } catch (error) {
    await signal('SIGKILL');
    throw new Error(`${error}\n${output.slice(-5000)}`);
  }
  return {
    baseUrl,
    output: () => output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
