import { ConfigReader } from '@backstage/config';
import { ApiHolder, configApiRef } from '@backstage/core-plugin-api';
import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { mlPlatformApiRef } from '../../api';
import { registryApi } from './__fixtures__/registry';
import { ModelVersionChoice } from './schema';
import { validateModelVersion } from './validateModelVersion';

describe('validateModelVersion', () => {
  const validate = async (
    value: Partial<ModelVersionChoice> | undefined,
    options: {
      allowedModels?: string[];
      formats?: string[];
      api?: object;
      allowUnknown?: object[];
      formData?: object;
    } = {},
  ) => {
    const api = options.api ?? registryApi().api;
    const config = new ConfigReader({
      mlPlatform: { safety: { allowUnknown: options.allowUnknown ?? [] } },
    });
    const apis: Record<string, unknown> = {
      [mlPlatformApiRef.id]: api,
      [configApiRef.id]: config,
    };
    const apiHolder: ApiHolder = { get: ref => apis[ref.id] as any };
    const validation = createFieldValidation();
    await validateModelVersion(value as ModelVersionChoice, validation, {
      apiHolder,
      formData: options.formData ?? {},
      schema: {},
      uiSchema: {
        'ui:options': {
          allowedModels: options.allowedModels,
          formats: options.formats,
        },
      },
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

  it('refuses an unknown version, or one with no verdict, by default', async () => {
    expect(await validate({ model: 'churn-predictor', version: '1' })).toEqual([
      'churn-predictor v1 may not serve: its serialization is unknown, the custom flavor does not say how it loads. Unknown versions may serve only where mlPlatform.safety.allowUnknown names the cluster or namespace.',
    ]);
    expect(await validate({ model: 'churn-predictor', version: '2' })).toEqual([
      'churn-predictor v2 may not serve: its serialization is unknown, its files could not be checked (MLflow answered 500 for the MLmodel file). Unknown versions may serve only where mlPlatform.safety.allowUnknown names the cluster or namespace.',
    ]);
  });

  it('accepts an unknown version where config allows unknown for the target the form names', async () => {
    const unknown = { model: 'churn-predictor', version: '1' };
    const allowUnknown = [{ cluster: 'dev', namespace: 'sandbox' }];
    expect(await validate(unknown, { allowUnknown })).toEqual([]);
    expect(
      await validate(unknown, {
        allowUnknown,
        formData: { cluster: 'dev', namespace: 'sandbox' },
      }),
    ).toEqual([]);
    expect(
      await validate(unknown, {
        allowUnknown,
        formData: { cluster: 'prod', namespace: 'ml' },
      }),
    ).toEqual([
      'churn-predictor v1 may not serve in prod/ml: its serialization is unknown, the custom flavor does not say how it loads. Unknown versions may serve only in dev/sandbox.',
    ]);
    // Never an unsafe one.
    expect(
      await validate(
        { model: 'fraud-detector', version: '2' },
        { allowUnknown },
      ),
    ).toHaveLength(1);
  });

  it('refuses a safe version in a format the template cannot load', async () => {
    expect(
      await validate(
        { model: 'fraud-detector', version: '6' },
        { formats: ['skops'] },
      ),
    ).toEqual([
      "fraud-detector v6 is stored as sklearn, which this template's service cannot load: it loads skops.",
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
