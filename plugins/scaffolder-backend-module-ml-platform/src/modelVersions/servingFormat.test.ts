import {
  servingFormat,
  type SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import { asServingFormat } from './servingFormat';

const verdict = (flavors: string[]): SafetyVerdict => ({
  safety: 'safe',
  reason: 'native format',
  source: 'metadata',
  files: [],
  flavors,
});

describe('asServingFormat', () => {
  it.each(['onnx', 'skops', 'safetensors', 'xgboost'])('keeps %s', format => {
    expect(asServingFormat(format)).toBe(format);
  });

  it.each([
    ['an unknown flavor', ['python_function', 'my_flavor']],
    [
      'a flavor that would add a YAML document',
      ['python_function', 'xgboost\n---\nkind: Secret'],
    ],
    ['only the wrapper', ['python_function']],
  ])('refuses %s instead of rendering it', (_, flavors) => {
    expect(() => asServingFormat(servingFormat(verdict(flavors)))).toThrow(
      /^The model's flavor ".*" is not a format a model service serves \(onnx, skops, safetensors, xgboost, lightgbm, catboost, tensorflow, keras\)$/s,
    );
  });
});
