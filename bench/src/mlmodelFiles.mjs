/**
 * MLmodel files of the serialization formats the catalog tells apart, one per
 * version in turn, so the safety filter has safe and unsafe versions to find.
 */
export const MLMODEL_FILES = [
  {
    format: 'sklearn-pickle',
    text: 'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: pickle\n',
  },
  {
    format: 'sklearn-skops',
    text: 'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.skops\n  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n',
  },
  {
    format: 'onnx',
    text: 'flavors:\n  onnx:\n    data: model.onnx\n  python_function:\n    data: model.onnx\n    loader_module: mlflow.onnx\n',
  },
  {
    format: 'xgboost',
    text: 'flavors:\n  python_function:\n    data: model.ubj\n    loader_module: mlflow.xgboost\n  xgboost:\n    data: model.ubj\n    model_class: xgboost.sklearn.XGBClassifier\n    model_format: ubj\n',
  },
  {
    format: 'sklearn-cloudpickle',
    text: 'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n',
  },
];
