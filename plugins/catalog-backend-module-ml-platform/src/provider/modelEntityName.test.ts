import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { modelEntityName } from './modelEntityName';

describe('modelEntityName', () => {
  it('keeps a valid name from the default registry as it is', () => {
    expect(modelEntityName('mlflow', 'fraud-detector')).toBe('fraud-detector');
    expect(modelEntityName('mlflow', 'Churn_Predictor.v2')).toBe(
      'churn_predictor.v2',
    );
  });

  it('prefixes the registry id of other registries', () => {
    expect(modelEntityName('mlflow-eu', 'fraud-detector')).toBe(
      'mlflow-eu-fraud-detector',
    );
  });

  it('adds a hash when characters are replaced, so different names stay different', () => {
    const a = modelEntityName('mlflow', 'Fraud Detector');
    const b = modelEntityName('mlflow', 'Fraud  Detector');
    expect(a).toMatch(/^fraud-detector-[0-9a-f]{8}$/);
    expect(b).toMatch(/^fraud-detector-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(modelEntityName('mlflow', 'Fraud Detector')).toBe(a);
  });

  it('disambiguates on request', () => {
    expect(modelEntityName('mlflow', 'eu-x', { disambiguate: true })).not.toBe(
      modelEntityName('eu', 'x', { disambiguate: true }),
    );
  });

  it.each([
    'a'.repeat(100),
    '___',
    'ünïcödé model ✓',
    '-leading and trailing-',
  ])('makes a valid entity name of %j', name => {
    const result = modelEntityName('some.registry', name);
    expect(KubernetesValidatorFunctions.isValidObjectName(result)).toBe(true);
  });
});
