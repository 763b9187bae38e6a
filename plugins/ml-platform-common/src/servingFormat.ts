import type { SafetyVerdict } from './types';

// python_function is the generic wrapper MLflow adds to every model.
const WRAPPER = 'python_function';
// Formats named by the bytes that were read, most specific first.
const FILE_FORMATS = ['safetensors', 'onnx', 'skops'];

/**
 * The serialization format a version's artifact is stored in, named the way
 * templates choose a loader by: `onnx`, `skops`, `safetensors`, or the
 * framework flavor (e.g. `xgboost`). The files the verdict read say which
 * data format; otherwise the flavors say which framework.
 * @public
 */
export function servingFormat(verdict: SafetyVerdict): string {
  const formats = new Set((verdict.files ?? []).map(f => f.format));
  const fromFiles = FILE_FORMATS.find(f => formats.has(f));
  if (fromFiles) return fromFiles;
  if (verdict.flavors.includes('onnx')) return 'onnx';
  return verdict.flavors.find(f => f !== WRAPPER) ?? WRAPPER;
}
