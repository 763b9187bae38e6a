import type { SafetyImport } from '@mlplatform/plugin-ml-platform-common';
import type { ByteReader } from '../bytes/ByteReader';
import { classifyImport } from '../pickle/classifyImport';
import { walkPickle } from '../pickle/walkPickle';
import { describeImports, finding } from './findings';

/** Reads a pickle stream (or several) at the reader and judges its imports. */
export async function inspectPickle(
  reader: ByteReader,
  path: string,
  format = 'pickle',
) {
  const walk = await walkPickle(reader);
  const imports: SafetyImport[] = walk.globals.map(g => ({
    module: g.module,
    name: g.name,
    risk: classifyImport(g.module, g.name),
  }));
  const risky = imports.filter(i => i.risk !== 'innocuous');
  if (risky.length > 0) {
    const dangerous = risky.some(i => i.risk === 'dangerous');
    return finding(
      path,
      format,
      'unsafe',
      `Unpickling it ${
        dangerous ? 'runs' : 'imports and calls'
      } ${describeImports(imports)}${
        walk.error ? ` (read until: ${walk.error})` : ''
      }.`,
      imports,
    );
  }
  if (walk.overBudget) {
    return finding(
      path,
      format,
      'unknown',
      `A pickle larger than the inspection budget: only its first ${reader.position} bytes were read.`,
      imports,
    );
  }
  if (walk.error) {
    return finding(
      path,
      format,
      'unknown',
      `A pickle that could not be read to its end: ${walk.error}.`,
      imports,
    );
  }
  return finding(
    path,
    format,
    'safe',
    imports.length > 0
      ? `A pickle of data-only types (${imports
          .map(i => `${i.module}.${i.name}`)
          .slice(0, 6)
          .join(', ')}).`
      : 'A pickle of plain values only: it imports nothing.',
    imports,
  );
}
