import { ApiHolder } from '@backstage/core-plugin-api';
import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { mlPlatformApiRef } from '../../api';
import { registryApi } from './__fixtures__/registry';
import { ModelVersionChoice } from './schema';
import { validateModelVersion } from './validateModelVersion';

describe('validateModelVersion', () => {
  const validate = async (
    value: Partial<ModelVersionChoice> | undefined,
    options: { allowedModels?: string[]; api?: object } = {},
  ) => {
    const api = options.api ?? registryApi().api;
    const apiHolder: ApiHolder = {
      get: ref => (ref.id === mlPlatformApiRef.id ? api : undefined) as any,
    };
    const validation = createFieldValidation();
    await validateModelVersion(value as ModelVersionChoice, validation, {
      apiHolder,
      formData: {},
      schema: {},
      uiSchema: { 'ui:options': { allowedModels: options.allowedModels } },
    });
    return validation.__errors ?? [];
  };

  it('accepts a READY version whose artifact never unpickles', async () => {
    expect(
      await validate({
        registry: 'mlflow',
        model: 'fraud-detector',
        version: '6',
      }),
    ).toEqual([]);
  });

  it('refuses an unsafe version with the verdict’s reason', async () => {
    expect(await validate({ model: 'fraud-detector', version: '2' })).toEqual([
      'fraud-detector v2 is unsafe to serve: The sklearn flavor loads model.pkl with pickle, which runs arbitrary code on load.',
    ]);
  });

  it('refuses a version that is not READY, naming its status', async () => {
    expect(await validate({ model: 'product-ranker', version: '3' })).toEqual([
      'product-ranker v3 is PENDING_REGISTRATION, not READY: only a fully registered version has an artifact to serve.',
    ]);
  });

  it('refuses a version not known to load without unpickling', async () => {
    expect(await validate({ model: 'churn-predictor', version: '1' })).toEqual([
      'churn-predictor v1 has no serialization known to load without unpickling: The custom flavor does not say how it loads.',
    ]);
    expect(await validate({ model: 'churn-predictor', version: '2' })).toEqual([
      'churn-predictor v2 cannot be checked for safe loading: MLflow answered 500 for the MLmodel file.',
    ]);
  });

  it('refuses unknown models and versions', async () => {
    expect(await validate({ model: 'no-such-model', version: '1' })).toEqual([
      'No model registry has a model no-such-model.',
    ]);
    expect(await validate({ model: 'fraud-detector', version: '9' })).toEqual([
      'fraud-detector has no version 9.',
    ]);
  });

  it('asks for a model, then a version, when they are missing', async () => {
    expect(await validate(undefined)).toEqual(['Choose a registered model.']);
    expect(await validate({ model: 'fraud-detector', version: '' })).toEqual([
      'Choose a version of fraud-detector.',
    ]);
  });

  it('refuses a model the template does not allow', async () => {
    expect(
      await validate(
        { model: 'fraud-detector', version: '6' },
        { allowedModels: ['product-ranker', 'churn-predictor'] },
      ),
    ).toEqual([
      'fraud-detector cannot be chosen here; choose one of product-ranker, churn-predictor.',
    ]);
  });

  it('says the version could not be checked when the backend fails', async () => {
    const api = {
      getModel: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:7007');
      },
    };
    expect(
      await validate({ model: 'fraud-detector', version: '6' }, { api }),
    ).toEqual([
      'Could not check fraud-detector v6: connect ECONNREFUSED 127.0.0.1:7007',
    ]);
  });
});
