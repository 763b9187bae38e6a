import fs from 'node:fs';
import path from 'node:path';
import { readMlModel } from './readMlModel';

// MLmodel files written by real MLflow, one per flavor and format
// (scripts/fixtures/write_mlmodel_fixtures.py).
const fixture = (name: string) =>
  fs.readFileSync(
    path.join(__dirname, '__fixtures__', `${name}.MLmodel`),
    'utf8',
  );

describe('readMlModel', () => {
  it.each([
    ['sklearn-pickle', /sklearn flavor is stored with pickle/],
    ['sklearn-cloudpickle', /sklearn flavor is stored with cloudpickle/],
    ['pyfunc-python-model', /python_model python_model.pkl is a pickle/],
  ])('finds the pickle %s declares', (name, declared) => {
    const facts = readMlModel(fixture(name));
    expect(facts.pickleDeclarations.join('; ')).toMatch(declared);
    expect(facts.codeHooks).toEqual([]);
  });

  it.each(['sklearn-skops', 'onnx', 'xgboost'])(
    'finds neither pickle nor code hook in %s',
    name => {
      expect(readMlModel(fixture(name))).toMatchObject({
        pickleDeclarations: [],
        codeHooks: [],
      });
    },
  );

  it('flags a custom loader module and code path next to a safe-looking flavor', () => {
    const facts = readMlModel(`
flavors:
  python_function: { loader_module: my_company.loader, code: code, data: model.onnx }
  onnx: { data: model.onnx }
`);
    expect(facts.codeHooks).toEqual([
      'the python_function flavor loads with the custom module my_company.loader',
      'the python_function flavor puts the code path code on the import path, where it can replace any module',
    ]);
  });

  it('flags models from code and skops files trusting more than scikit-learn', () => {
    const facts = readMlModel(`
flavors:
  python_function: { loader_module: mlflow.pyfunc.model, python_model: model.py }
  sklearn: { pickled_model: model.skops, serialization_format: skops, skops_trusted_types: [sklearn.tree._tree.Tree, builtins.eval] }
`);
    expect(facts.codeHooks).toEqual([
      'the python_function flavor runs the Python file model.py',
      'the sklearn flavor trusts builtins.eval when loading skops',
    ]);
  });

  it("accepts the types MLflow's LightGBM flavor trusts", () => {
    expect(
      readMlModel(`
flavors:
  lightgbm: { code: null, data: model.lgb, serialization_format: skops, skops_trusted_types: [lightgbm.basic.Booster, collections.OrderedDict] }
`).codeHooks,
    ).toEqual([]);
  });

  it('accepts MLflow loader modules', () => {
    expect(
      readMlModel(`
flavors:
  python_function: { loader_module: mlflow.sklearn, model_path: model.skops }
`).codeHooks,
    ).toEqual([]);
  });

  it.each([
    ['', 'MLmodel has no flavors section'],
    ['flavors: [', 'MLmodel is not valid YAML'],
    ['artifact_path: model', 'MLmodel has no flavors section'],
  ])('rejects %j with an InputError', (text, message) => {
    expect(() => readMlModel(text)).toThrow(message);
  });
});
