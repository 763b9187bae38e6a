import {
  isDns1035Label,
  isDns1123Label,
  isValidLabelValue,
  parseRegisteredModelRef,
} from './labels';

describe('parseRegisteredModelRef', () => {
  it('reads a model of the default registry', () => {
    expect(parseRegisteredModelRef('fraud-detector')).toEqual({
      name: 'fraud-detector',
    });
  });

  it('reads a model of a named registry', () => {
    expect(parseRegisteredModelRef(' mlflow-eu/Fraud Detector ')).toEqual({
      registryId: 'mlflow-eu',
      name: 'Fraud Detector',
    });
  });

  it.each(['', ' ', 'a/', '/b', 'a/b/c'])('rejects %j', value => {
    expect(() => parseRegisteredModelRef(value)).toThrow(
      /expected '<model name>' or '<registry id>\/<model name>'/,
    );
  });
});

describe('Kubernetes names', () => {
  it.each([
    ['fraud-scorer', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['Fraud', false],
    ['-fraud', false],
    ['fraud_scorer', false],
  ])('isDns1123Label(%j) is %s', (value, valid) => {
    expect(isDns1123Label(value)).toBe(valid);
  });

  it.each([
    ['fraud-scorer', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['2fraud', false],
    ['fraud-', false],
    ['Fraud', false],
  ])('isDns1035Label(%j) is %s', (value, valid) => {
    expect(isDns1035Label(value)).toBe(valid);
  });

  it.each([
    ['', true],
    ['Fraud_Detector.v2', true],
    ['fraud detector', false],
    ['_x', false],
    ['x'.repeat(64), false],
  ])('isValidLabelValue(%j) is %s', (value, valid) => {
    expect(isValidLabelValue(value)).toBe(valid);
  });
});
