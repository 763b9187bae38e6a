import { InputError } from '@backstage/errors';
import yaml from 'yaml';
import { classifyImport } from './pickle/classifyImport';

type Flavor = Record<string, unknown>;

const PICKLE_FILE = /\.(pkl|pickle|cloudpickle|joblib)$/i;
const PICKLE_FORMATS = new Set(['pickle', 'cloudpickle']);
// python_function is the generic wrapper every flavor adds.
const WRAPPER = 'python_function';
// Loader modules of MLflow itself; any other runs the author's code.
const MLFLOW_LOADER = /^mlflow(\.|$)/;
// skops types that are data or model classes of the libraries MLflow itself
// trusts (its LightGBM flavor lists LightGBM's classes and OrderedDict):
// skops sets their state, it calls nothing. Anything else, and anything
// dangerous (builtins.eval), would let the file run code.
const SKOPS_TRUSTED =
  /^(sklearn|numpy|scipy|collections|lightgbm|xgboost|catboost)\./;

/** What an `MLmodel` file declares about how the model loads. */
export interface MlModelFacts {
  flavors: string[];
  /** Declared ways to run the author's code: loader modules, code paths. */
  codeHooks: string[];
  /** Declared pickle loads (the files' bytes say what they import). */
  pickleDeclarations: string[];
}

function parseMlModel(text: string): Record<string, Flavor> {
  let doc: unknown;
  try {
    doc = yaml.parse(text);
  } catch (e) {
    throw new InputError(`MLmodel is not valid YAML: ${(e as Error).message}`);
  }
  const flavors = (doc as { flavors?: unknown } | null)?.flavors;
  if (!flavors || typeof flavors !== 'object') {
    throw new InputError('MLmodel has no flavors section');
  }
  return Object.fromEntries(
    Object.entries(flavors as Record<string, Flavor>).map(([k, v]) => [
      k,
      v && typeof v === 'object' ? v : {},
    ]),
  );
}

/** Reads the facts of an MLmodel file; throws InputError when it is not one. */
export function readMlModel(text: string): MlModelFacts {
  const flavors = parseMlModel(text);
  const codeHooks: string[] = [];
  const pickleDeclarations: string[] = [];
  for (const [name, flavor] of Object.entries(flavors)) {
    const loader = flavor.loader_module;
    if (typeof loader === 'string' && !MLFLOW_LOADER.test(loader)) {
      codeHooks.push(
        `the ${name} flavor loads with the custom module ${loader}`,
      );
    }
    const code = flavor.code;
    if (typeof code === 'string' || (Array.isArray(code) && code.length > 0)) {
      codeHooks.push(
        `the ${name} flavor puts the code path ${String(
          code,
        )} on the import path, where it can replace any module`,
      );
    }
    for (const key of ['python_model', 'model_code_path']) {
      const v = flavor[key];
      if (typeof v === 'string' && /\.py$/i.test(v)) {
        codeHooks.push(`the ${name} flavor runs the Python file ${v}`);
      }
    }
    const trusted = flavor.skops_trusted_types;
    if (Array.isArray(trusted)) {
      const outside = trusted.filter(
        t =>
          typeof t !== 'string' ||
          !SKOPS_TRUSTED.test(t) ||
          classifyImport(
            t.slice(0, t.lastIndexOf('.')),
            t.slice(t.lastIndexOf('.') + 1),
          ) === 'dangerous',
      );
      if (outside.length > 0) {
        codeHooks.push(
          `the ${name} flavor trusts ${outside.join(', ')} when loading skops`,
        );
      }
    }
    const format = flavor.serialization_format;
    if (typeof format === 'string' && PICKLE_FORMATS.has(format)) {
      pickleDeclarations.push(`the ${name} flavor is stored with ${format}`);
    }
    if (typeof flavor.pickle_module_name === 'string') {
      pickleDeclarations.push(
        `the ${name} flavor loads with the pickle module ${flavor.pickle_module_name}`,
      );
    }
    if (
      name === WRAPPER &&
      typeof flavor.python_model === 'string' &&
      !/\.py$/i.test(flavor.python_model)
    ) {
      pickleDeclarations.push(
        `it is a custom python_function model whose python_model ${flavor.python_model} is a pickle`,
      );
    }
    for (const [key, value] of Object.entries(flavor)) {
      if (
        typeof value === 'string' &&
        PICKLE_FILE.test(value) &&
        key !== 'python_model'
      ) {
        pickleDeclarations.push(
          `the ${name} flavor's ${key} ${value} is a pickle file`,
        );
      }
    }
  }
  return { flavors: Object.keys(flavors), codeHooks, pickleDeclarations };
}
