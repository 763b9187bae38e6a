import type { V1Service } from '@kubernetes/client-node';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import {
  compareTools,
  healthUrlOf,
  toolFromConfig,
  toolsFromServices,
} from './mapTools';
import { readToolDiscovery } from './readToolDiscovery';
import { readToolsConfig } from './readToolsConfig';

function service(
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): V1Service {
  return { metadata: { name, namespace: 'ml-tools', labels, annotations } };
}

describe('healthUrlOf', () => {
  it.each([
    ['mlflow', 'http://127.0.0.1:5000', 'http://127.0.0.1:5000/health'],
    ['zenml', 'https://zenml.example.com/', 'https://zenml.example.com/health'],
    [
      'lakefs',
      'https://lakefs.example.com',
      'https://lakefs.example.com/api/v1/healthcheck',
    ],
    ['MLflow', 'https://h/mlflow?x=1#/models', 'https://h/mlflow/health'],
  ])('%s at %s is probed at %s', (type, url, expected) => {
    expect(healthUrlOf(type, url)).toBe(expected);
  });

  it('knows no health endpoint of other types', () => {
    expect(healthUrlOf('label-studio', 'https://ls.example.com')).toBe(
      undefined,
    );
  });
});

// Tool Services count in ml-tools; probes go to example.com hosts only.
const discovery = readToolDiscovery(
  new ConfigReader({
    mlPlatform: {
      toolDiscovery: { namespaces: ['ml-tools'], hosts: ['*.example.com'] },
    },
  }),
);

describe('toolsFromServices', () => {
  it('maps a labelled Service with a dashboard URL to a probeable tool', () => {
    expect(
      toolsFromServices(
        'prod',
        [
          service(
            'mlflow',
            { 'ml-platform.io/tool': 'mlflow' },
            { 'ml-platform.io/dashboard-url': 'https://mlflow.example.com' },
          ),
        ],
        discovery,
      ),
    ).toEqual([
      {
        name: 'mlflow',
        type: 'mlflow',
        cluster: 'prod',
        namespace: 'ml-tools',
        url: 'https://mlflow.example.com',
        healthUrl: 'https://mlflow.example.com/health',
      },
    ]);
  });

  it('says why a Service without the annotation has no URL', () => {
    const [tool] = toolsFromServices(
      'prod',
      [service('zenml', { 'ml-platform.io/tool': 'zenml' })],
      discovery,
    );
    expect(tool.url).toBeUndefined();
    expect(tool.healthUrl).toBeUndefined();
    expect(tool.problem).toBe(
      "no public URL: Service ml-tools/zenml in cluster 'prod' has no ml-platform.io/dashboard-url annotation",
    );
  });

  it('never probes a URL that is not http(s)', () => {
    const [tool] = toolsFromServices(
      'prod',
      [
        service(
          'lakefs',
          { 'ml-platform.io/tool': 'lakefs' },
          { 'ml-platform.io/dashboard-url': 'file:///etc/passwd' },
        ),
      ],
      discovery,
    );
    expect(tool.healthUrl).toBeUndefined();
    expect(tool.problem).toMatch(/invalid ml-platform.io\/dashboard-url/);
  });

  it('lists a tool of an unknown type with its URL but no probe', () => {
    const [tool] = toolsFromServices(
      'prod',
      [
        service(
          'studio',
          { 'ml-platform.io/tool': 'label-studio' },
          { 'ml-platform.io/dashboard-url': 'https://studio.example.com' },
        ),
      ],
      discovery,
    );
    expect(tool).toMatchObject({
      url: 'https://studio.example.com',
      problem: "no health check is known for tool type 'label-studio'",
    });
    expect(tool.healthUrl).toBeUndefined();
  });

  it('takes no Service for a tool outside the allowed namespaces', () => {
    const elsewhere: V1Service = {
      metadata: {
        name: 'scanner',
        namespace: 'team-a',
        labels: { 'ml-platform.io/tool': 'mlflow' },
        annotations: {
          'ml-platform.io/dashboard-url': 'https://x.example.com',
        },
      },
    };
    expect(toolsFromServices('prod', [elsewhere], discovery)).toEqual([]);
  });

  it('shows but never probes a URL at a host discovery does not allow', () => {
    const [tool] = toolsFromServices(
      'prod',
      [
        service(
          'mlflow',
          { 'ml-platform.io/tool': 'mlflow' },
          { 'ml-platform.io/dashboard-url': 'http://10.0.0.1:6379' },
        ),
      ],
      discovery,
    );
    expect(tool).toEqual({
      name: 'mlflow',
      type: 'mlflow',
      cluster: 'prod',
      namespace: 'ml-tools',
      url: 'http://10.0.0.1:6379',
      problem:
        'not probed: 10.0.0.1:6379 is not a host of mlPlatform.toolDiscovery.hosts',
    });
  });

  it('skips Services without the tool label', () => {
    expect(
      toolsFromServices('prod', [service('other', {})], discovery),
    ).toEqual([]);
  });
});

describe('tools from config', () => {
  const config = (tools: JsonObject[]) =>
    new ConfigReader({ mlPlatform: { tools } });

  it('uses healthUrl over the type health endpoint', () => {
    const [a, b] = readToolsConfig(
      config([
        { name: 'mlflow', type: 'mlflow', url: 'https://m.example.com' },
        {
          name: 'studio',
          type: 'label-studio',
          url: 'https://s.example.com',
          healthUrl: 'https://s.example.com/ping',
        },
      ]),
    ).map(toolFromConfig);
    expect(a.healthUrl).toBe('https://m.example.com/health');
    expect(b.healthUrl).toBe('https://s.example.com/ping');
  });

  it('asks for a healthUrl where the type has no known one', () => {
    const [tool] = readToolsConfig(
      config([{ name: 's', type: 'label-studio', url: 'https://s.example' }]),
    ).map(toolFromConfig);
    expect(tool.problem).toBe(
      "no health check is known for tool type 'label-studio'; set healthUrl",
    );
  });

  it('rejects duplicate names and URLs that are not http(s)', () => {
    expect(() =>
      readToolsConfig(
        config([
          { name: 'm', type: 'mlflow', url: 'https://a.example' },
          { name: 'm', type: 'mlflow', url: 'https://b.example' },
        ]),
      ),
    ).toThrow("Duplicate mlPlatform.tools name 'm'");
    expect(() =>
      readToolsConfig(
        config([
          {
            name: 'm',
            type: 'mlflow',
            url: 'https://a.example',
            healthUrl: 'ftp://a.example/health',
          },
        ]),
      ),
    ).toThrow("healthUrl 'ftp://a.example/health' is not an http(s) URL");
  });
});

describe('compareTools', () => {
  it('puts config tools first, then orders by name and cluster', () => {
    const tools = [
      { name: 'zenml', type: 'zenml', cluster: 'b', namespace: 'ml' },
      { name: 'mlflow', type: 'mlflow', cluster: 'b', namespace: 'ml' },
      { name: 'zenml', type: 'zenml' },
      { name: 'mlflow', type: 'mlflow', cluster: 'a', namespace: 'ml' },
    ];
    expect(
      [...tools].sort(compareTools).map(t => `${t.cluster ?? '-'}/${t.name}`),
    ).toEqual(['-/zenml', 'a/mlflow', 'b/mlflow', 'b/zenml']);
  });
});
