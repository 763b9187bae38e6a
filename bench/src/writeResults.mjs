import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './settings.mjs';

/**
 * Writes a run's results to bench/results/<prefix><date><suffix>.json, the
 * date being the run's start, and returns the file's path from the cwd.
 */
export function writeResults(results, { prefix = '', suffix = '' } = {}) {
  const dir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.date.slice(0, 19).replace(/:/g, '-');
  const file = path.join(dir, `${prefix}${stamp}${suffix}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}
