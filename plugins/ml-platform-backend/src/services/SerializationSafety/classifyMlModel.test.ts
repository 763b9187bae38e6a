import fs from 'node:fs';
import path from 'node:path';
import { classifyMlModel } from './classifyMlModel';

// MLmodel files written by real MLflow, one per flavor and format
// (scripts/fixtures/write_mlmodel_fixtures.py).
const fixture = (name: string) =>
  fs.readFileSync(
    path.join(__dirname, '__fixtures__', `${name}.MLmodel`),
    'utf8',
  );

describe('classifyMlModel', () => {
  it.each([
    ['sklearn-pickle', /sklearn flavor is stored with pickle/],
    ['sklearn-cloudpickle', /sklearn flavor is stored with cloudpickle/],
    [
      'pyfunc-python-model',
      /custom python_function model whose python_model python_model.pkl is a pickle/,
    ],
  ])('calls %s unsafe and says why and how to fix it', (name, why) => {
    const verdict = classifyMlModel(fixture(name));
    expect(verdict.safety).toBe('unsafe');
    expect(verdict.reason).toMatch(why);
    expect(verdict.reason).toMatch(/Re-log the model in a safe format/);
  });

  it.each([
    ['sklearn-skops', 'skops', ['python_function', 'sklearn']],
    ['onnx', 'ONNX', ['onnx', 'python_function']],
    ['xgboost', 'the native XGBoost format', ['python_function', 'xgboost']],
  ])('calls %s safe', (name, format, flavors) => {
    const verdict = classifyMlModel(fixture(name));
    expect(verdict).toEqual({
      safety: 'safe',
      reason: `Stored in ${format}, which loads without unpickling.`,
      flavors: expect.arrayContaining(flavors),
    });
  });

  it('catches pickle data files and pickle modules of any flavor', () => {
    const verdict = classifyMlModel(`
flavors:
  python_function: { loader_module: mlflow.lightgbm, data: model.pkl }
  lightgbm: { data: model.pkl, model_class: lightgbm.sklearn.LGBMClassifier }
  pytorch: { model_data: data, pickle_module_name: mlflow.pytorch.pickle_module }
`);
    expect(verdict.safety).toBe('unsafe');
    expect(verdict.reason).toContain(
      "the lightgbm flavor's data model.pkl is a pickle file",
    );
    expect(verdict.reason).toContain(
      'the pytorch flavor loads with the pickle module mlflow.pytorch.pickle_module',
    );
  });

  it('calls safetensors weights safe', () => {
    expect(
      classifyMlModel(`
flavors:
  transformers: { model_binary: model, weights: model.safetensors }
`).safety,
    ).toBe('safe');
  });

  it('says unknown when no flavor tells how it loads', () => {
    expect(
      classifyMlModel(`
flavors:
  python_function: { loader_module: my_company.loader, data: weights }
  my_flavor: { data: weights }
`),
    ).toEqual({
      safety: 'unknown',
      reason:
        'No flavor with a known serialization (python_function, my_flavor); check how this flavor loads before serving it.',
      flavors: ['python_function', 'my_flavor'],
    });
  });

  it.each([
    ['', 'MLmodel has no flavors section'],
    ['flavors: [', 'MLmodel is not valid YAML'],
    ['artifact_path: model', 'MLmodel has no flavors section'],
  ])('rejects %j with an InputError', (text, message) => {
    expect(() => classifyMlModel(text)).toThrow(message);
  });
});
