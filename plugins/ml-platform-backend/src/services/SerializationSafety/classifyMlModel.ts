import { InputError } from '@backstage/errors';
import { SafetyVerdict } from '@mlplatform/plugin-ml-platform-common';
import yaml from 'yaml';

type Flavor = Record<string, unknown>;

const PICKLE_FILE = /\.(pkl|pickle|cloudpickle|joblib)$/i;
const PICKLE_FORMATS = new Set(['pickle', 'cloudpickle']);

// Flavors whose artifacts are formats that never unpickle when loaded.
const SAFE_FORMATS: Record<string, string> = {
  onnx: 'ONNX',
  xgboost: 'the native XGBoost format',
  lightgbm: 'the native LightGBM format',
  catboost: 'the native CatBoost format',
  tensorflow: 'the TensorFlow SavedModel format',
  keras: 'the Keras format',
};

// python_function is the generic wrapper every flavor adds; it says nothing
// about the format unless it is a custom model of its own.
const WRAPPER = 'python_function';

/** Reasons this flavor unpickles on load; empty when it does not. */
function pickleReasons(name: string, flavor: Flavor): string[] {
  const reasons: string[] = [];
  const format = flavor.serialization_format;
  if (typeof format === 'string' && PICKLE_FORMATS.has(format)) {
    reasons.push(`the ${name} flavor is stored with ${format}`);
  }
  if (typeof flavor.pickle_module_name === 'string') {
    reasons.push(
      `the ${name} flavor loads with the pickle module ${flavor.pickle_module_name}`,
    );
  }
  if (name === WRAPPER && typeof flavor.python_model === 'string') {
    reasons.push(
      `it is a custom python_function model whose python_model ${flavor.python_model} is a pickle`,
    );
  }
  for (const [key, value] of Object.entries(flavor)) {
    if (
      typeof value === 'string' &&
      PICKLE_FILE.test(value) &&
      key !== 'python_model'
    ) {
      reasons.push(`the ${name} flavor's ${key} ${value} is a pickle file`);
    }
  }
  return reasons;
}

function safeFormat(name: string, flavor: Flavor): string | undefined {
  if (name === 'sklearn' && flavor.serialization_format === 'skops') {
    return 'skops';
  }
  if (
    Object.values(flavor).some(
      v => typeof v === 'string' && /\.safetensors$/i.test(v),
    )
  ) {
    return 'safetensors';
  }
  return SAFE_FORMATS[name];
}

/**
 * Reads an MLflow `MLmodel` file and tells whether loading the model runs
 * pickle (`unsafe`: arbitrary code on load), uses only formats that never
 * unpickle (`safe`), or cannot be told (`unknown`).
 * @public
 */
export function classifyMlModel(mlmodelText: string): SafetyVerdict {
  let doc: unknown;
  try {
    doc = yaml.parse(mlmodelText);
  } catch (e) {
    throw new InputError(`MLmodel is not valid YAML: ${(e as Error).message}`);
  }
  const flavorsObj = (doc as { flavors?: unknown } | null)?.flavors;
  if (!flavorsObj || typeof flavorsObj !== 'object') {
    throw new InputError('MLmodel has no flavors section');
  }
  const flavors = Object.entries(flavorsObj as Record<string, Flavor>).map(
    ([name, flavor]) => [name, flavor ?? {}] as const,
  );
  const flavorNames = flavors.map(([name]) => name);

  const reasons = flavors.flatMap(([name, flavor]) =>
    pickleReasons(name, flavor),
  );
  if (reasons.length > 0) {
    return {
      safety: 'unsafe',
      reason: `Loading runs pickle, which can execute arbitrary code: ${reasons.join(
        '; ',
      )}. Re-log the model in a safe format (ONNX, skops, safetensors or the framework's native format).`,
      flavors: flavorNames,
    };
  }

  const safe = flavors
    .filter(([name]) => name !== WRAPPER)
    .map(([name, flavor]) => safeFormat(name, flavor))
    .filter((f): f is string => Boolean(f));
  if (safe.length > 0) {
    return {
      safety: 'safe',
      reason: `Stored in ${[...new Set(safe)].join(
        ' and ',
      )}, which loads without unpickling.`,
      flavors: flavorNames,
    };
  }
  return {
    safety: 'unknown',
    reason: `No flavor with a known serialization (${flavorNames.join(
      ', ',
    )}); check how this flavor loads before serving it.`,
    flavors: flavorNames,
  };
}
