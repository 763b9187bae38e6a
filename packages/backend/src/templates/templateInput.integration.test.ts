import {
  MODEL_SERVICE_FORM,
  PROCESSING_SERVICE_FORM,
} from './__testUtils__/formValues';
import { startPortalOnPlatform } from './__testUtils__/portalBackend';
import { dryRunTemplate } from './__testUtils__/renderTemplate';
import type { BackendProcess } from '../testing/startBackendProcess';

// Both templates through the real scaffolder's dry run (the portal's backend
// on the local platform, signed in as the demo's guest, a member of
// fraud-ml), given input an attacker with an ordinary account would try:
// another team as owner, and a line break plus `---` in every field, which
// rendered raw would add YAML documents (another team's HTTPRoute, a catalog
// entity) to the generated files.

jest.setTimeout(600_000);

const PAYLOAD = '\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: pwned';

const INPUT = {
  'model-service': { ...MODEL_SERVICE_FORM, applyToCluster: true },
  'processing-service': { ...PROCESSING_SERVICE_FORM, applyToCluster: true },
};

type Template = keyof typeof INPUT;

/** Every text field of a template's form, as a path into its values. */
const TEXT_FIELDS: Record<Template, string[][]> = {
  'model-service': [
    ['name'],
    ['description'],
    ['owner'],
    ['system'],
    ['modelVersion', 'registry'],
    ['modelVersion', 'model'],
    ['modelVersion', 'version'],
    ['cluster'],
    ['namespace'],
    ['router'],
    ['gateway'],
    ['cpu'],
    ['memory'],
    ['imageRepository'],
  ],
  'processing-service': [
    ['name'],
    ['description'],
    ['owner'],
    ['system'],
    ['modelService'],
    ['kind'],
    ['cluster'],
    ['namespace'],
    ['cpu'],
    ['memory'],
    ['imageRepository'],
  ],
};

function withValue(values: object, field: string[], value: unknown): object {
  const [head, ...rest] = field;
  const current = (values as Record<string, unknown>)[head];
  return {
    ...values,
    [head]: rest.length
      ? withValue((current as object) ?? {}, rest, value)
      : value,
  };
}

describe('template input from an ordinary user', () => {
  let backend: BackendProcess;
  let token: string;
  const dryRun = (template: Template, values: object) =>
    dryRunTemplate({
      baseUrl: backend.baseUrl,
      token,
      template,
      values: values as Record<string, unknown>,
    });

  beforeAll(async () => {
    ({ backend, token } = await startPortalOnPlatform());
  });

  afterAll(async () => {
    await backend?.stop();
  });

  describe.each(Object.keys(INPUT) as Template[])('%s', template => {
    it('renders for the guest as owner of their own team', async () => {
      const { status, body, files } = await dryRun(template, INPUT[template]);
      expect({ status, error: body.error }).toEqual({ status: 200 });
      expect(files.get('catalog-info.yaml')).toContain(
        'owner: "group:default/fraud-ml"',
      );
    });

    it("refuses another team as owner before anything is rendered or applied, naming the guest's groups", async () => {
      const { status, body, files, log } = await dryRun(
        template,
        withValue(INPUT[template], ['owner'], 'group:default/recsys-ml'),
      );

      expect(status).toBeGreaterThanOrEqual(400);
      expect(body.error?.message).toBe(
        'user:default/guest may not create a service owned by group:default/recsys-ml: it is not one of their groups (group:default/fraud-ml). Choose a group you are a member of; only those the permission policy grants ml-platform.scaffolder.any-owner may choose any owner.',
      );
      expect(files.size).toBe(0);
      expect(log).not.toMatch(/Applied|apiserver/);
    });

    it.each(TEXT_FIELDS[template].map(f => [f.join('.'), f]))(
      'refuses a line break and --- in %s, with nothing rendered',
      async (_, field) => {
        const original = field.reduce<any>((v, k) => v?.[k], INPUT[template]);
        const { status, body, files } = await dryRun(
          template,
          withValue(INPUT[template], field, `${original ?? ''}${PAYLOAD}`),
        );

        expect(status).toBe(400);
        const errors = JSON.stringify(body.errors);
        expect(errors).toContain(field[field.length - 1]);
        expect(errors).toMatch(/pattern|enum|allowed values/);
        expect(files.size).toBe(0);
      },
    );
  });
});
