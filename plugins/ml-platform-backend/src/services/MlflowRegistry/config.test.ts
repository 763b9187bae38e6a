import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { readMlflowRegistryConfigs } from './config';

const read = (mlflow: JsonValue) =>
  readMlflowRegistryConfigs(
    new ConfigReader({ mlPlatform: { registries: { mlflow } } }),
  );

describe('readMlflowRegistryConfigs', () => {
  it('reads basic auth and token auth, the write credentials, and defaults uiUrl to baseUrl', () => {
    expect(
      read([
        {
          id: 'prod',
          baseUrl: 'https://mlflow.example.com/',
          auth: { username: 'svc', password: 'pw' },
          writeAuth: { username: 'editor', password: 'epw' },
        },
        {
          id: 'dev',
          baseUrl: 'http://mlflow-dev:5000',
          uiUrl: 'https://mlflow-dev.example.com',
          auth: { token: 'tok' },
        },
      ]),
    ).toEqual([
      {
        id: 'prod',
        baseUrl: 'https://mlflow.example.com',
        uiUrl: 'https://mlflow.example.com',
        auth: { username: 'svc', password: 'pw' },
        writeAuth: { username: 'editor', password: 'epw' },
      },
      {
        id: 'dev',
        baseUrl: 'http://mlflow-dev:5000',
        uiUrl: 'https://mlflow-dev.example.com',
        auth: { token: 'tok' },
      },
    ]);
  });

  it('reads the webhook secret, and names the webhook after the registry by default', () => {
    const [withUrl, withoutUrl] = read([
      {
        id: 'prod',
        baseUrl: 'https://mlflow.example.com',
        webhook: {
          secret: 'a-long-enough-secret',
          url: 'https://backstage.example.com/api/ml-platform/webhooks/mlflow/prod',
        },
      },
      {
        id: 'dev',
        baseUrl: 'https://mlflow-dev.example.com',
        webhook: { secret: 'another-long-secret', name: 'portal' },
      },
    ]);
    expect(withUrl.webhook).toEqual({
      secret: 'a-long-enough-secret',
      url: 'https://backstage.example.com/api/ml-platform/webhooks/mlflow/prod',
      name: 'backstage-ml-platform-prod',
    });
    expect(withoutUrl.webhook).toEqual({
      secret: 'another-long-secret',
      url: undefined,
      name: 'portal',
    });
  });

  it('reads nothing when no MLflow server is configured', () => {
    expect(readMlflowRegistryConfigs(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    [
      { id: 'a', baseUrl: 'mlflow:5000' },
      'mlPlatform.registries.mlflow[0].baseUrl must be an http or https URL',
    ],
    [
      { id: 'a', baseUrl: 'not a url' },
      "mlPlatform.registries.mlflow[0].baseUrl must be an absolute URL, got 'not a url'",
    ],
    [
      { id: 'a', baseUrl: 'https://u:p@mlflow' },
      'mlPlatform.registries.mlflow[0].baseUrl must not contain credentials; use mlPlatform.registries.mlflow[0].auth',
    ],
    [
      { id: 'a b', baseUrl: 'https://mlflow' },
      "mlPlatform.registries.mlflow[0].id 'a b' must be letters, digits, '.', '_' or '-'",
    ],
    [
      { id: 'a', baseUrl: 'https://mlflow', auth: { username: 'u' } },
      "Missing required config value at 'mlPlatform.registries.mlflow[0].auth.password'",
    ],
    [
      {
        id: 'a',
        baseUrl: 'https://mlflow',
        auth: { username: 'u', password: 'p', token: 't' },
      },
      'mlPlatform.registries.mlflow[0].auth must have either username and password, or token',
    ],
    [
      { id: 'a', baseUrl: 'https://mlflow', webhook: { secret: 'short' } },
      'mlPlatform.registries.mlflow[0].webhook.secret must be at least 16 characters',
    ],
    [
      {
        id: 'a',
        baseUrl: 'https://mlflow',
        webhook: { secret: 'a-long-enough-secret', url: 'backstage/hook' },
      },
      "mlPlatform.registries.mlflow[0].webhook.url must be an absolute URL, got 'backstage/hook'",
    ],
  ])('rejects %j', (entry, message) => {
    expect(() => read([entry])).toThrow(message);
  });
});
