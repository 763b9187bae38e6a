import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@backstage/config';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConfigSources, loadConfigSchema } from '@backstage/config-loader';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import catalogModuleMlPlatform from '@mlplatform/plugin-catalog-backend-module-ml-platform';
import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import {
  createKubernetesApplyAction,
  createPublishTargetAction,
} from '@mlplatform/plugin-scaffolder-backend-module-ml-platform';
import yaml from 'yaml';

// The configuration production runs with (app-config.yaml, then
// app-config.production.yaml, then the site's file from deploy/configmap.yaml),
// loaded the way the backend loads it: none of the demo's scaffolder settings
// survive, and the catalog takes no `file` location from users.

jest.setTimeout(120_000);

// Only tests import this file, and they run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const REPO = path.resolve(__dirname, '../../..');
const DEMO = path.join(REPO, 'app-config.yaml');
const PRODUCTION = path.join(REPO, 'app-config.production.yaml');

/** The site's config file of deploy/configmap.yaml, written out as the pod mounts it. */
function siteConfigFile(): string {
  const configMap = yaml.parse(
    fs.readFileSync(path.join(REPO, 'deploy/configmap.yaml'), 'utf8'),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-config-'));
  const file = path.join(dir, 'app-config.cluster.yaml');
  fs.writeFileSync(file, configMap.data['app-config.cluster.yaml']);
  return file;
}

/** The files as the backend reads them, `${VAR}`s from a production-like environment. */
async function load(files: string[]): Promise<AppConfig[]> {
  const source = ConfigSources.default({
    argv: files.flatMap(f => ['--config', f]),
    rootDir: REPO,
    substitutionFunc: async name => `value-of-${name}`,
  });
  for await (const { configs } of source.readConfigData()) {
    return configs;
  }
  throw new Error('no config read');
}

const reader = (configs: AppConfig[]) => ConfigReader.fromConfigs(configs);

describe('the production configuration', () => {
  let production: AppConfig[];
  let site: AppConfig[];

  beforeAll(async () => {
    production = await load([DEMO, PRODUCTION]);
    site = await load([DEMO, PRODUCTION, siteConfigFile()]);
  });

  it("passes the schema of every plugin's config, the site's included", async () => {
    const schema = await loadConfigSchema({
      dependencies: ['backend'],
      packagePaths: [path.join(REPO, 'packages/backend/package.json')],
    });
    expect(() => schema.process(production)).not.toThrow();
    expect(() => schema.process(site)).not.toThrow();
  });

  it("inherits neither the demo's local publishing nor its namespaces", async () => {
    const config = reader(production);
    expect(config.getOptionalConfig('mlPlatform.scaffolder.publish')).toBe(
      undefined,
    );
    expect(
      config.getOptionalStringArray(
        'mlPlatform.scaffolder.apply.allowedNamespaces',
      ),
    ).toBe(undefined);
    // The demo's own do hold them.
    expect(
      reader(await load([DEMO])).getString(
        'mlPlatform.scaffolder.publish.provider',
      ),
    ).toBe('local');
  });

  it('refuses to publish until the site names its provider', async () => {
    const action = createPublishTargetAction({ config: reader(production) });
    const attempt = action.handler(
      createMockActionContext({ input: { name: 'fraud-scorer' } }) as any,
    );
    await expect(attempt).rejects.toMatchObject({ name: 'InputError' });
    await expect(attempt).rejects.toThrow(
      'mlPlatform.scaffolder.publish.provider is not configured: set it to github, gitlab or local',
    );

    const withSite = createPublishTargetAction({ config: reader(site) });
    const ctx = createMockActionContext({ input: { name: 'fraud-scorer' } });
    await withSite.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('provider', 'github');
    expect(ctx.output).toHaveBeenCalledWith(
      'repoUrl',
      'github.example.com?owner=ml-team&repo=fraud-scorer',
    );
  });

  it('applies nowhere until the site lists the namespaces', async () => {
    const config = reader(production);
    const action = createKubernetesApplyAction({
      config,
      clusters: createKubernetesClusters({
        config,
        logger: mockServices.logger.mock(),
      }),
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      catalog: {} as any,
      permissions: mockServices.permissions(),
    });
    await expect(
      action.handler(
        createMockActionContext({
          input: {
            cluster: 'local',
            namespace: 'ml-staging',
            owner: 'group:default/fraud-ml',
          },
        }) as any,
      ),
    ).rejects.toThrow(
      'mlPlatform.scaffolder.apply.allowedNamespaces is not configured: list the namespaces templates may apply to. Nothing was applied.',
    );
    expect(
      reader(site).getStringArray(
        'mlPlatform.scaffolder.apply.allowedNamespaces',
      ),
    ).toEqual(['ml-staging']);
  });

  it('has the catalog refuse a file location from a user', async () => {
    const config = reader(site);
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMlPlatform,
        // The sections the catalog reads, as production has them.
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              ...config.getConfig('catalog').get<object>(),
              locations: [],
            },
            mlPlatform: config.getConfig('mlPlatform').get<object>(),
          },
        }),
      ],
    });
    const { port } = server.address() as AddressInfo;

    const res = await fetch(`http://127.0.0.1:${port}/api/catalog/locations`, {
      method: 'POST',
      headers: {
        authorization: mockCredentials.user.header(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'file', target: PRODUCTION }),
    });

    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(
      'Registered locations must be of an allowed type ["url"]',
    );
  });
});
