import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createDeploymentLabelsAction } from './deploymentLabels';

describe('ml-platform:deployment:labels', () => {
  const action = createDeploymentLabelsAction();

  it('returns the labels the backend discovers deployments by', async () => {
    const ctx = createMockActionContext({
      input: { name: 'fraud-scorer', model: 'fraud-detector', version: 3 },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('workloadName', 'fraud-scorer-v3');
    expect(ctx.output).toHaveBeenCalledWith('labels', {
      'app.kubernetes.io/name': 'fraud-scorer',
      'app.kubernetes.io/component': 'model-service',
      'ml-platform.io/model': 'fraud-detector',
      'ml-platform.io/model-version': '3',
    });
  });

  it('names the registry when the model is not in the default one', async () => {
    const ctx = createMockActionContext({
      input: {
        name: 'churn',
        model: 'churn',
        version: '12',
        registry: 'mlflow-eu',
      },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith(
      'labels',
      expect.objectContaining({ 'ml-platform.io/registry': 'mlflow-eu' }),
    );
  });

  it.each([
    [
      { name: 'Fraud_Scorer', model: 'm', version: '1' },
      /not a DNS-1123 label/,
    ],
    [{ name: 'a'.repeat(61), model: 'm', version: '1' }, /longer than 63/],
    [
      { name: 'svc', model: 'm', version: 'latest' },
      /not an MLflow model version/,
    ],
    [{ name: 'svc', model: 'm', version: '0' }, /not an MLflow model version/],
    [
      { name: 'svc', model: 'my model', version: '1' },
      /model 'my model' cannot be a Kubernetes label value/,
    ],
  ])('refuses %j with a clear error and no output', async (input, message) => {
    const ctx = createMockActionContext({ input });
    await expect(action.handler(ctx)).rejects.toThrow(message);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
