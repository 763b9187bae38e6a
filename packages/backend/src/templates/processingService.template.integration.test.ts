import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import type { BackendProcess } from '../testing/startBackendProcess';
import {
  acceptedByApiserver,
  parseManifests,
} from './__testUtils__/kubeDryRun';
import { PROCESSING_SERVICE_FORM } from './__testUtils__/formValues';
import { startPortalOnPlatform } from './__testUtils__/portalBackend';
import { freshVenv, runToExit, startUvicorn } from './__testUtils__/python';
import { dryRunTemplate, writeFiles } from './__testUtils__/renderTemplate';
import { validateCatalogInfo } from './__testUtils__/validateEntities';

// The processing service template run through the real scaffolder backend's
// dry run (the model service it serves looked up in the real catalog, the
// manifests validated by the real apiserver); then the generated service in a
// fresh virtualenv: its own tests, and its endpoint served by uvicorn.

jest.setTimeout(600_000);

const values = (overrides: Record<string, unknown> = {}) => ({
  ...PROCESSING_SERVICE_FORM,
  ...overrides,
});

describe('the processing service template', () => {
  let backend: BackendProcess;
  let token: string;
  let workDir: string;
  const dryRun = (v: Record<string, unknown>) =>
    dryRunTemplate({
      baseUrl: backend.baseUrl,
      token,
      template: 'processing-service',
      values: v,
    });

  beforeAll(async () => {
    ({ backend, token } = await startPortalOnPlatform());
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'processing-service-'));
  });

  afterAll(async () => {
    await backend?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it.each([
    ['post', 'postprocessing'],
    ['pre', 'preprocessing'],
  ])(
    'renders a %s-processing service whose entities the catalog accepts and the model page chains',
    async (kind, tag) => {
      const { status, files, body } = await dryRun(
        values({ kind, applyToCluster: true }),
      );
      expect({ status, error: body.error }).toEqual({ status: 200 });
      expect([...files.keys()]).toEqual(
        expect.arrayContaining([
          'app/main.py',
          'app/chain.py',
          'app/metrics.py',
          'app/transform.py',
          'tests/test_service.py',
          'tests/test_transform.py',
          'tests/test_chain.py',
          '.github/workflows/ci.yaml',
          '.gitlab-ci.yml',
          'requirements.txt',
          'Dockerfile',
          'openapi.yaml',
          'manifests/deployment.yaml',
          'catalog-info.yaml',
          'README.md',
        ]),
      );

      const [component, api] = await validateCatalogInfo(files);
      expect(component).toMatchObject({
        kind: 'Component',
        metadata: { name: 'fraud-decision-next', tags: [tag, 'fastapi'] },
        spec: {
          type: 'processing-service',
          owner: 'group:default/fraud-ml',
          dependsOn: ['component:default/fraud-scorer'],
          providesApis: ['fraud-decision-next'],
        },
      });
      expect(api).toMatchObject({
        kind: 'API',
        metadata: { name: 'fraud-decision-next' },
        spec: { type: 'openapi', definition: { $text: './openapi.yaml' } },
      });
      const openapi = yaml.parse(files.get('openapi.yaml')!);
      expect(openapi.info.title).toBe('fraud-decision-next');
      expect(Object.keys(openapi.paths).sort()).toEqual([
        '/healthz',
        '/predict',
        '/readyz',
        '/transform',
      ]);
      // CI tests the service, then builds and pushes the image it deploys.
      const ci = yaml.parse(files.get('.github/workflows/ci.yaml')!);
      expect(ci.jobs.test.steps.map((s: any) => s.run).filter(Boolean)).toEqual(
        ['pip install -r requirements-dev.txt', 'python -m pytest -q'],
      );
      expect(ci.jobs.image.steps.at(-1).with.tags).toBe(
        'registry.example.com/ml/fraud-decision-next:latest',
      );

      const objects = parseManifests([files.get('manifests/deployment.yaml')!]);
      expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Deployment/fraud-decision-next',
        'Service/fraud-decision-next',
      ]);
      expect(objects[0].spec.template.spec.containers[0].env[0].value).toBe(
        'http://fraud-scorer:8080',
      );
      expect(await acceptedByApiserver(objects)).toEqual([
        ['Deployment', 'accepted'],
        ['Service', 'accepted'],
      ]);
      expect(body.output.text).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            content: expect.stringContaining(
              'Applied 2 objects to local/ml-staging',
            ),
          }),
        ]),
      );
    },
  );

  it('refuses a name that is not a DNS-1123 label', async () => {
    const { status, body } = await dryRun(values({ name: 'decision.v2' }));
    expect(status).toBe(400);
    expect(JSON.stringify(body.errors)).toMatch(/name.*pattern|pattern.*name/);
  });

  it('refuses a model service that is not in the catalog, naming it', async () => {
    const { status, body } = await dryRun(
      values({ modelService: 'component:default/no-such-service' }),
    );
    expect(status).toBeGreaterThanOrEqual(400);
    expect(body.error.message).toContain('component:default/no-such-service');
  });

  // One fresh venv from the first generated service's requirements, which
  // do not depend on the kind: each venv costs a minute and more here.
  let venv: string | undefined;

  it.each(['post', 'pre'])(
    'generates a %s-processing service whose tests pass in a fresh venv and that serves its transform',
    async kind => {
      const { status, files, body } = await dryRun(values({ kind }));
      expect({ status, error: body.error }).toEqual({ status: 200 });
      const dir = path.join(workDir, kind);
      writeFiles(dir, files);
      venv ??= freshVenv(dir, path.join(dir, 'requirements-dev.txt'));

      const pytest = runToExit(
        path.join(venv, 'bin', 'python'),
        ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
        { cwd: dir },
      );
      // The worked example's tests and those of the chain through the model service.
      expect(pytest.stdout).toMatch(kind === 'pre' ? /8 passed/ : /7 passed/);
      expect(pytest.status).toBe(0);

      const service = await startUvicorn({ venv, cwd: dir });
      try {
        const request =
          kind === 'post'
            ? { scores: [0.93, 0.2] }
            : {
                records: [
                  {
                    amount: 126.1,
                    hour: 18.4,
                    merchant_risk: 0.79,
                    distance_km: 0,
                  },
                ],
              };
        const res = await fetch(`${service.url}/transform`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(
          kind === 'post'
            ? {
                decisions: [
                  {
                    score: 0.93,
                    decision: 'decline',
                    reasons: ['score 0.93 is at or above 0.8'],
                  },
                  {
                    score: 0.2,
                    decision: 'approve',
                    reasons: ['score 0.2 is below 0.5'],
                  },
                ],
              }
            : {
                columns: ['amount', 'hour', 'merchant_risk', 'distance_km'],
                inputs: [[1, 1, 1, -1]],
              },
        );
        const health = await fetch(`${service.url}/healthz`);
        expect(await health.json()).toEqual({ status: 'ok' });
      } finally {
        await service.stop();
      }
    },
  );
});
