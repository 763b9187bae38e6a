import type { SafetyImport } from '@mlplatform/plugin-ml-platform-common';
import { classifyImport } from '../pickle/classifyImport';
import { describeImports, finding } from './findings';

type Json = unknown;

function* objects(value: Json): Generator<Record<string, Json>> {
  if (Array.isArray(value)) {
    for (const v of value) yield* objects(v);
  } else if (value && typeof value === 'object') {
    yield value as Record<string, Json>;
    for (const v of Object.values(value)) yield* objects(v);
  }
}

/**
 * A Keras model config (`config.json` of a `.keras` file, `model_config` of
 * an H5 file): a `Lambda` layer holds Python code (marshalled bytecode or a
 * lambda's source) that runs when the model is built; a class from outside
 * Keras needs the author's code to be importable, which MLflow ships as a
 * cloudpickle.
 */
export function inspectKerasConfig(config: Json, path: string, format: string) {
  const imports: SafetyImport[] = [];
  for (const o of objects(config)) {
    const cls = o.class_name;
    if (typeof cls !== 'string') continue;
    const module = typeof o.module === 'string' ? o.module : 'keras.layers';
    if (cls === 'Lambda' || cls === '__lambda__' || cls === 'TFOpLambda') {
      imports.push({ module, name: cls, risk: 'dangerous' });
    } else if (
      (typeof o.registered_name === 'string' &&
        o.registered_name.includes('>')) ||
      !/^(keras|tf_keras|tensorflow\.keras|builtins)(\.|$)/.test(module)
    ) {
      imports.push({ module, name: cls, risk: 'suspicious' });
    } else {
      imports.push({ module, name: cls, risk: 'innocuous' });
    }
  }
  if (imports.length === 0) {
    return finding(path, format, 'unknown', 'A Keras config with no layers.');
  }
  const risky = imports.filter(i => i.risk !== 'innocuous');
  if (risky.length > 0) {
    return finding(
      path,
      format,
      'unsafe',
      `Loading the Keras model runs code: ${describeImports(imports)}.`,
      imports,
    );
  }
  return finding(
    path,
    format,
    'safe',
    'A Keras model of built-in layers only.',
    imports,
  );
}

const SKOPS_DATA_MODULES = /^(sklearn|numpy|scipy)(\.|$)/;
const SKOPS_BUILTINS = new Set([
  'dict',
  'list',
  'tuple',
  'set',
  'frozenset',
  'int',
  'float',
  'complex',
  'str',
  'bytes',
  'bytearray',
  'bool',
  'slice',
  'NoneType',
  'type',
]);

/** The types a skops file's `schema.json` makes its loader construct or look up. */
export function inspectSkopsSchema(schema: Json, path: string) {
  const imports: SafetyImport[] = [];
  const seen = new Set<string>();
  for (const o of objects(schema)) {
    const module = o.__module__;
    const cls = o.__class__;
    if (typeof module !== 'string' || typeof cls !== 'string') continue;
    const content = o.content as Record<string, Json> | undefined;
    // A function reference names what it points at in its content.
    const [m, n] =
      o.__loader__ === 'FunctionNode' &&
      content &&
      typeof content.module_path === 'string' &&
      typeof content.function === 'string'
        ? [content.module_path, content.function]
        : [module, cls];
    const key = `${m}.${n}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let risk = classifyImport(m, n);
    if (risk === 'suspicious') {
      if (SKOPS_DATA_MODULES.test(m)) risk = 'innocuous';
      if (m === 'builtins' && SKOPS_BUILTINS.has(n)) risk = 'innocuous';
    }
    imports.push({ module: m, name: n, risk });
  }
  if (imports.length === 0) {
    return finding(path, 'skops', 'unknown', 'A skops schema naming no type.');
  }
  const risky = imports.filter(i => i.risk !== 'innocuous');
  if (risky.length > 0) {
    return finding(
      path,
      'skops',
      'unsafe',
      `The skops file needs types outside scikit-learn, numpy and scipy trusted: ${describeImports(
        imports,
      )}.`,
      imports,
    );
  }
  return finding(
    path,
    'skops',
    'safe',
    'A skops file of scikit-learn, numpy and scipy types only.',
    imports,
  );
}
