import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { readMlflowRegistryConfigs } from './config';

const read = (mlflow: JsonValue) =>
  readMlflowRegistryConfigs(
    new ConfigReader({ mlPlatform: { registries: { mlflow } } }),
  );

describe('readMlflowRegistryConfigs', () => {
  it('reads basic auth and token auth, and defaults uiUrl to baseUrl', () => {
    expect(
      read([
        {
          id: 'prod',
          baseUrl: 'https://mlflow.example.com/',
          auth: { username: 'svc', password: 'pw' },
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
      },
      {
        id: 'dev',
        baseUrl: 'http://mlflow-dev:5000',
        uiUrl: 'https://mlflow-dev.example.com',
        auth: { token: 'tok' },
      },
    ]);
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
  ])('rejects %j', (entry, message) => {
    expect(() => read([entry])).toThrow(message);
  });
});
