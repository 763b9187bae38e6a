import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogModuleMlPlatform } from '../module';

// The real catalog backend with the module, publishing locally (the demo's
// setup), asked over its HTTP API as a user: file locations are read only
// under the publish directory.

jest.setTimeout(60_000);

const component = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: experimental
  owner: group:default/fraud-ml
`;

const published = createMockDirectory();
const elsewhere = createMockDirectory();

async function startCatalog() {
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlPlatform,
      mockServices.rootConfig.factory({
        data: {
          mlPlatform: {
            scaffolder: {
              publish: { provider: 'local', directory: published.path },
            },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const call = async (method: string, urlPath: string, body?: object) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/catalog${urlPath}`, {
      method,
      headers: {
        authorization: mockCredentials.user.header(),
        ...(body && { 'content-type': 'application/json' }),
      },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };
  return { backend, call };
}

describe('file locations with the scaffolder publishing locally', () => {
  beforeEach(() => {
    published.setContent({
      'fraud-scorer': { 'catalog-info.yaml': component('fraud-scorer') },
    });
    elsewhere.setContent({ 'catalog-info.yaml': component('planted') });
    // A link in the publish directory that leads out of it.
    fs.symlinkSync(
      path.join(elsewhere.path, 'catalog-info.yaml'),
      path.join(published.path, 'link.yaml'),
    );
  });

  it('reads a service published under the directory', async () => {
    const { backend, call } = await startCatalog();
    const target = path.join(
      published.path,
      'fraud-scorer',
      'catalog-info.yaml',
    );

    const res = await call('POST', '/locations?dryRun=true', {
      type: 'file',
      target,
    });

    expect(res.status).toBe(201);
    expect(res.body.entities.map((e: any) => e.metadata.name)).toContain(
      'fraud-scorer',
    );
    await backend.stop();
  });

  it.each([
    [
      'a file elsewhere on the backend',
      () => path.join(elsewhere.path, 'catalog-info.yaml'),
    ],
    [
      'a path that climbs out of the directory',
      () =>
        path.join(
          published.path,
          '..',
          path.basename(elsewhere.path),
          'catalog-info.yaml',
        ),
    ],
    [
      'a link that leads out of it',
      () => path.join(published.path, 'link.yaml'),
    ],
    ['a glob', () => path.join(published.path, '*', 'catalog-info.yaml')],
    ['the process environment', () => '/proc/self/environ'],
  ])('refuses %s before reading it', async (_, target) => {
    const { backend, call } = await startCatalog();

    const checked = await call('POST', '/locations?dryRun=true', {
      type: 'file',
      target: target(),
    });
    expect(checked.status).toBe(400);
    expect(checked.body.error.message).toMatch(
      /file location .* is refused: file locations are read only under .* of mlPlatform\.scaffolder\.publish\.directory or where catalog\.locations names them/,
    );

    // The dry run is the catalog's own processing of the location: what
    // it would store, nothing here.
    expect(
      (await call('GET', '/entities/by-name/component/default/planted')).status,
    ).toBe(404);
    await backend.stop();
  });
});
