import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './python';

// Only tests import this file, and they run from source, never from a bundle.
const PLATFORM_SCRIPTS = path.resolve(
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../../scripts/platform',
);

/**
 * The Python of the virtualenv the local MLflow server runs from, found the
 * way scripts/platform/lib.sh names it: `<cache>/mlflow-<version>-py<x.y>-<lock hash>`.
 */
export function mlflowPython(): string {
  const lock = fs.readFileSync(
    path.join(PLATFORM_SCRIPTS, 'requirements-mlflow.txt'),
  );
  const version = /^mlflow==(\S+)/m.exec(lock.toString())?.[1];
  const pyver = run(process.env.ML_PYTHON ?? 'python3', [
    '-c',
    'import sys; print("%d.%d" % sys.version_info[:2])',
  ]).trim();
  const hash = crypto.createHash('sha256').update(lock).digest('hex');
  const cache =
    process.env.ML_PLATFORM_CACHE ??
    path.join(process.env.HOME ?? '', '.cache', 'ml-platform');
  const venv = path.join(
    cache,
    `mlflow-${version}-py${pyver}-${hash.slice(0, 10)}`,
  );
  if (!fs.existsSync(path.join(venv, '.complete'))) {
    throw new Error(
      `${venv} is missing: start the platform: scripts/platform/up.sh`,
    );
  }
  return path.join(venv, 'bin', 'python');
}

// eslint-disable-next-line no-restricted-syntax
export const PYFUNC_PREDICT = path.join(__dirname, 'pyfunc_predict.py');
// eslint-disable-next-line no-restricted-syntax
export const REGISTER_MODEL_COPY = path.join(
  __dirname,
  'register_model_copy.py',
);
