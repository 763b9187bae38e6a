import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import {
  MODEL_SERVICE_FORM,
  PROCESSING_SERVICE_FORM,
} from './__testUtils__/formValues';
import { TEMPLATES_DIR } from './__testUtils__/renderTemplate';

// Every file of both skeletons rendered by the scaffolder's own fetch:template
// action with one value at a time replaced by a payload that, pasted raw,
// would end a scalar and start new YAML documents (or Dockerfile
// instructions, or Python statements). The form's patterns refuse such
// input; values that come from elsewhere (a step's output, the catalog, an
// MLmodel file) meet only the quoting, which this checks: the file has the
// same documents, instructions and statements as with ordinary values.

jest.setTimeout(120_000);

const PAYLOAD = `x"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: pwned\n---\n# '{{ x }}' \\ \nRUN curl pwned\nimport os; os.system("pwned")\n`;

// The form's fields that the template passes on as they are.
const fromForm = (form: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.map(k => [k, form[k]]));
const SHARED = ['name', 'description', 'owner', 'system', 'cluster'];
const SIZING = ['namespace', 'replicas', 'cpu', 'memory'];

const BENIGN: Record<string, Record<string, unknown>> = {
  'model-service': {
    ...fromForm(MODEL_SERVICE_FORM, [
      ...SHARED,
      ...SIZING,
      'router',
      'gateway',
    ]),
    registry: 'mlflow',
    registeredModel: 'fraud-detector',
    model: 'fraud-detector',
    version: '6',
    format: 'onnx',
    modelUri: 'models:/fraud-detector/6',
    labels: {
      'app.kubernetes.io/name': 'fraud-scorer-next',
      'ml-platform.io/model': 'fraud-detector',
      'ml-platform.io/model-version': '6',
    },
    workloadName: 'fraud-scorer-next-v6',
    image: 'registry.example.com/ml/fraud-scorer-next:v6',
  },
  'processing-service': {
    ...fromForm(PROCESSING_SERVICE_FORM, [
      ...SHARED,
      ...SIZING,
      'kind',
      'modelService',
    ]),
    modelServiceName: 'fraud-scorer',
    image: 'registry.example.com/ml/fraud-decision-next:latest',
  },
};

type Template = keyof typeof BENIGN;

/** The fetch:template step of a template, as template.yaml writes it. */
function fetchStep(template: Template) {
  const doc = yaml.parse(
    fs.readFileSync(
      path.join(TEMPLATES_DIR, template, 'template.yaml'),
      'utf8',
    ),
  );
  return doc.spec.steps.find(
    (s: { action: string }) => s.action === 'fetch:template',
  ).input;
}

const action = createFetchTemplateAction({
  reader: mockServices.urlReader.mock(),
  integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
});

async function render(template: Template, values: Record<string, unknown>) {
  const workspace = createMockDirectory();
  const scratch = createMockDirectory();
  const input = fetchStep(template);
  const ctx = createMockActionContext({
    input: { ...input, values },
    workspacePath: workspace.path,
    templateInfo: {
      entityRef: `template:default/${template}`,
      baseUrl: pathToFileURL(
        path.join(TEMPLATES_DIR, template, 'template.yaml'),
      ).href,
    },
  });
  // Where the action fetches the skeleton to, apart from its output.
  ctx.createTemporaryDirectory = jest.fn().mockResolvedValue(scratch.path);
  await action.handler(ctx as any);
  const files = new Map<string, string>();
  const walk = (dir: string, prefix = '') => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), rel);
      else files.set(rel, fs.readFileSync(path.join(dir, e.name), 'utf8'));
    }
  };
  walk(workspace.path);
  return files;
}

/** What a file is made of: its YAML documents, Dockerfile instructions or Python statements. */
function structure(file: string, text: string) {
  if (/\.ya?ml$/.test(file)) {
    const docs = yaml.parseAllDocuments(text);
    const errors = docs.flatMap(d => d.errors.map(e => e.message));
    const objects = docs.map(d => d.toJS()).filter(Boolean);
    return {
      errors,
      documents: objects.length,
      kinds: objects.map(o => o.kind),
      pwned: JSON.stringify(objects).includes('"pwned"'),
    };
  }
  if (file === 'Dockerfile') {
    return {
      instructions: text
        .split('\n')
        .filter(l => /^[A-Z]+\s/.test(l))
        .map(l => l.split(' ')[0]),
    };
  }
  if (file.endsWith('.py')) {
    const dump = spawnSync(
      'python3',
      [
        '-c',
        'import ast,sys; t=ast.parse(sys.stdin.read()); print(" ".join(type(n).__name__ for n in t.body))',
      ],
      { input: text, encoding: 'utf8' },
    );
    return { statements: dump.stdout.trim(), error: dump.stderr.trim() };
  }
  return undefined;
}

function shapes(files: Map<string, string>) {
  return Object.fromEntries(
    [...files]
      .map(([file, text]) => [file, structure(file, text)] as const)
      .filter(([, s]) => s !== undefined),
  );
}

// The values templates branch on (`if`), which choose files' content
// without being written into them: each branch is rendered.
const BRANCHES: Record<Template, Array<Record<string, string>>> = {
  'model-service': [{ router: 'gateway-api' }, { router: 'argo-rollouts' }],
  'processing-service': [{ kind: 'pre' }, { kind: 'post' }],
};

/** Every value but the branch's replaced by the payload (labels: a key and a value). */
function hostile(
  values: Record<string, unknown>,
  branch: Record<string, string>,
) {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      if (key in branch) return [key, branch[key]];
      if (value && typeof value === 'object') {
        return [
          key,
          { ...value, [PAYLOAD]: PAYLOAD, 'ml-platform.io/model': PAYLOAD },
        ];
      }
      return [key, PAYLOAD];
    }),
  );
}

describe.each(Object.keys(BENIGN) as Template[])(
  'the %s skeleton rendered with hostile values',
  template => {
    it('has a value for everything the template passes', () => {
      expect(Object.keys(fetchStep(template).values).sort()).toEqual(
        Object.keys(BENIGN[template]).sort(),
      );
    });

    it.each(BRANCHES[template])(
      'keeps every file as it is made, with %j',
      async branch => {
        const benign = shapes(
          await render(template, { ...BENIGN[template], ...branch }),
        );
        expect(Object.keys(benign)).toEqual(
          expect.arrayContaining(['catalog-info.yaml', 'Dockerfile']),
        );
        for (const [file, shape] of Object.entries(benign)) {
          expect({
            file,
            errors: (shape as any).errors ?? [],
            error: (shape as any).error || undefined,
          }).toEqual({
            file,
            errors: [],
            error: undefined,
          });
        }

        const rendered = shapes(
          await render(template, hostile(BENIGN[template], branch)),
        );

        expect(Object.keys(rendered).sort()).toEqual(
          Object.keys(benign).sort(),
        );
        for (const [file, shape] of Object.entries(rendered)) {
          expect({ file, ...(shape as object) }).toEqual({
            file,
            ...(benign[file] as object),
          });
        }
      },
    );
  },
);
