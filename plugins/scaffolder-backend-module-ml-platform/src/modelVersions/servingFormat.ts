import type { SafetyVerdict } from '@mlplatform/plugin-ml-platform-common';

// python_function is the generic wrapper MLflow adds to every model.
const WRAPPER = 'python_function';

/**
 * The serialization format a safe version's artifact is stored in, named the
 * way templates choose a loader by: `onnx`, `skops`, `safetensors`, or the
 * framework flavor (e.g. `xgboost`). The verdict's flavors say which
 * framework; only its reason says that an sklearn model is skops or that the
 * weights are safetensors.
 */
export function servingFormat(verdict: SafetyVerdict): string {
  if (/\bsafetensors\b/i.test(verdict.reason)) return 'safetensors';
  if (verdict.flavors.includes('onnx')) return 'onnx';
  if (/\bskops\b/i.test(verdict.reason)) return 'skops';
  return verdict.flavors.find(f => f !== WRAPPER) ?? WRAPPER;
}
