import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type {
  ModelVersion,
  SafetyFileFinding,
} from '@mlplatform/plugin-ml-platform-common';
import {
  PLATFORM_STATE_DIR,
  mlflowAdminApi,
  readPlatformFile,
} from 'platform-tests';
import request from 'supertest';
import { mlPlatformPlugin } from '../../plugin';
import { MlflowClient } from '../MlflowRegistry';
import {
  DEFAULT_BUDGET,
  createVersionInspector,
} from './createVersionInspector';

// The serialization corpus (scripts/corpus/build_corpus.py): model files made
// by the real libraries, benign and crafted malicious ones, logged into the
// local MLflow and scanned there by picklescan and modelscan. The real
// backend then judges every corpus and demo version from its bytes; every
// file either scanner flags must be unsafe in our verdict, and the report
// lists where we differ and why. Serial: it registers models in the shared
// MLflow (once; reruns find them).

jest.setTimeout(900_000);

// eslint-disable-next-line no-restricted-syntax
const REPO = path.resolve(__dirname, '../../../../..');
const OUT = path.join(PLATFORM_STATE_DIR, 'corpus');
const mlflow = readPlatformFile<{
  url: string;
  username: string;
  password: string;
}>('mlflow');

interface CorpusFile {
  picklescan: string[];
  modelscan: string[];
  modelscan_errors: string[];
}
interface CorpusCase {
  case: string;
  model: string;
  version: string;
  expected: 'safe' | 'unsafe' | 'unknown';
  why: string;
  files: Record<string, CorpusFile>;
}

const DEMO_SAFETY: Record<string, 'safe' | 'unsafe'> = {
  'sklearn-pickle': 'unsafe',
  'sklearn-cloudpickle': 'unsafe',
  'pyfunc-pickle': 'unsafe',
  onnx: 'safe',
  skops: 'safe',
  xgboost: 'safe',
};

function buildCorpus(): { cases: CorpusCase[]; took_seconds: number } {
  const started = Date.now();
  const python = execFileSync(
    path.join(REPO, 'scripts/corpus/corpus-venv.sh'),
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .pop()!;
  const venvSeconds = (Date.now() - started) / 1000;
  execFileSync(
    python,
    [path.join(REPO, 'scripts/corpus/build_corpus.py'), '--out', OUT],
    {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflow.url,
        MLFLOW_TRACKING_USERNAME: mlflow.username,
        MLFLOW_TRACKING_PASSWORD: mlflow.password,
        PYTHONWARNINGS: 'ignore',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const corpus = JSON.parse(
    fs.readFileSync(path.join(OUT, 'corpus.json'), 'utf8'),
  );
  console.info(
    `corpus: venv ready in ${venvSeconds.toFixed(
      1,
    )} s, files built, logged and scanned in ${corpus.took_seconds} s`,
  );
  return corpus;
}

/** Why our verdict on a file differs from the scanners', from what we found in it. */
function whyWeDiffer(
  ours: SafetyFileFinding | undefined,
  file: CorpusFile,
  hooks: string[],
): string {
  if (hooks.length > 0) {
    return `the MLmodel declares code to run (${hooks.join(
      '; ',
    )}); the scanners do not read it`;
  }
  if (!ours) return 'not read by us';
  if (file.modelscan_errors.length > 0 && file.picklescan.length === 0) {
    return `modelscan could not scan it (${file.modelscan_errors[0].slice(
      0,
      90,
    )}); picklescan does not read this format`;
  }
  if (ours.format.startsWith('compressed'))
    return 'a compressed pickle: we decompress it, the scanners do not';
  if (ours.format === 'skops')
    return 'skops: the scanners do not read its schema';
  const dangerous = ours.imports?.filter(i => i.risk === 'dangerous') ?? [];
  if (
    dangerous.length > 0 &&
    file.modelscan.length === 0 &&
    file.picklescan.length > 0
  ) {
    return 'modelscan chooses files by extension and skips this one';
  }
  if ((ours.imports ?? []).every(i => i.risk === 'suspicious')) {
    return 'imports outside the allow-list of data types (suspicious, not dangerous): unsafe for us, a warning for the scanners';
  }
  if (hooks.length > 0)
    return 'declared in the MLmodel file, which the scanners do not read';
  return ours.reason;
}

describe('the serialization corpus, judged from bytes by the real backend', () => {
  let corpus: { cases: CorpusCase[]; took_seconds: number };
  let versions: Map<string, ModelVersion>;

  beforeAll(async () => {
    corpus = buildCorpus();
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        mockServices.rootConfig.factory({
          data: {
            mlPlatform: {
              registries: {
                mlflow: [
                  {
                    id: 'mlflow',
                    baseUrl: mlflow.url,
                    auth: {
                      username: mlflow.username,
                      password: mlflow.password,
                    },
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    const spec = JSON.parse(
      fs.readFileSync(
        path.join(REPO, 'scripts/platform/demo-platform.json'),
        'utf8',
      ),
    );
    const names = [
      ...corpus.cases.map(c => c.model),
      ...spec.models.map((m: any) => m.name),
    ];
    versions = new Map();
    for (const name of names) {
      const res = await request(server).get(
        `/api/ml-platform/models/${encodeURIComponent(name)}`,
      );
      if (res.status !== 200) {
        throw new Error(`GET /models/${name}: ${res.status} ${res.text}`);
      }
      for (const v of res.body.versions as ModelVersion[])
        versions.set(`${v.name}/${v.version}`, v);
    }
  });

  it('classifies every corpus version as expected, from its bytes, within the budget', () => {
    const got = corpus.cases.map(c => {
      const v = versions.get(`${c.model}/${c.version}`);
      return [c.case, v?.safety?.safety ?? v?.safetyError, v?.safety?.source];
    });
    expect(got).toEqual(corpus.cases.map(c => [c.case, c.expected, 'bytes']));
    for (const c of corpus.cases) {
      expect(
        versions.get(`${c.model}/${c.version}`)!.safety!.bytesRead,
      ).toBeLessThanOrEqual(DEFAULT_BUDGET.maxVersionBytes);
    }
  });

  it('classifies every demo version as its format says, from its bytes', () => {
    const spec = JSON.parse(
      fs.readFileSync(
        path.join(REPO, 'scripts/platform/demo-platform.json'),
        'utf8',
      ),
    );
    const expected = spec.models.flatMap((m: any) =>
      m.versions.map((v: any) => [
        `${m.name}/${v.version}`,
        DEMO_SAFETY[v.format],
        'bytes',
      ]),
    );
    const got = expected.map(([id]: [string]) => {
      const v = versions.get(id);
      return [id, v?.safety?.safety ?? v?.safetyError, v?.safety?.source];
    });
    expect(got).toEqual(expected);
  });

  it('flags every file that picklescan or modelscan flags, and reports where it differs', () => {
    const rows: string[] = [];
    const missed: string[] = [];
    for (const c of corpus.cases) {
      const verdict = versions.get(`${c.model}/${c.version}`)!.safety!;
      for (const [file, anchors] of Object.entries(c.files)) {
        const ours = verdict.files.find(f => f.path === file);
        const flagged =
          anchors.picklescan.length > 0 || anchors.modelscan.length > 0;
        if (flagged && ours?.safety !== 'unsafe')
          missed.push(`${c.case}/${file}`);
        const oursUnsafe = ours?.safety === 'unsafe';
        const hooks = file === 'MLmodel' ? verdict.codeHooks ?? [] : [];
        if (
          flagged === oursUnsafe &&
          hooks.length === 0 &&
          anchors.modelscan_errors.length === 0
        )
          continue;
        if (
          !flagged &&
          !oursUnsafe &&
          hooks.length === 0 &&
          ours?.safety === 'safe'
        ) {
          // Both call it harmless; modelscan only failed to read it.
          rows.push(
            `| ${c.case} | ${file} | ${
              ours?.safety
            } | - | - (error: ${anchors.modelscan_errors[0]?.slice(
              0,
              70,
            )}) | modelscan could not read it; we read it as ${ours?.format} |`,
          );
          continue;
        }
        rows.push(
          `| ${c.case} | ${file} | ${
            hooks.length ? 'unsafe (MLmodel)' : ours?.safety ?? 'not read'
          } | ${anchors.picklescan.join(', ') || '-'} | ${
            anchors.modelscan.join(', ') ||
            (anchors.modelscan_errors.length ? 'error' : '-')
          } | ${whyWeDiffer(ours, anchors, hooks)} |`,
        );
      }
    }
    const report = [
      '# Serialization corpus: our verdicts next to picklescan and modelscan',
      '',
      `Cases: ${corpus.cases.length}; built, logged and scanned in ${corpus.took_seconds} s.`,
      '',
      '| case | file | ours | picklescan (dangerous) | modelscan | why we differ |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(OUT, 'report.md'), report);
    console.info(report);
    expect(missed).toEqual([]);
    // The comparison has teeth: the scanners do flag files of the corpus.
    expect(
      corpus.cases.some(c =>
        Object.values(c.files).some(f => f.picklescan.length > 0),
      ),
    ).toBe(true);
  });

  it('names the files and imports behind an unsafe verdict', () => {
    const evil = versions.get('corpus-evil-named-onnx/1')!.safety!;
    expect(evil.files[0]).toMatchObject({
      path: 'model.onnx',
      format: 'pickle',
      safety: 'unsafe',
      imports: [{ module: 'posix', name: 'system', risk: 'dangerous' }],
    });
    const hooks = versions.get('corpus-evil-loader-module/1')!.safety!;
    expect(hooks.codeHooks).toEqual([
      'the python_function flavor loads with the custom module my_loader',
      'the python_function flavor puts the code path code on the import path, where it can replace any module',
    ]);
  });
});

describe('a 2 GB artifact', () => {
  const model = `budget-${process.pid}-${Date.now().toString(36)}`;
  let file: string | undefined;

  afterAll(async () => {
    if (file) fs.rmSync(file, { force: true });
    await mlflowAdminApi('DELETE', 'registered-models/delete', {
      name: model,
    }).catch(() => undefined);
  });

  it('is unknown (over budget), read no further than its header, without the memory growing', async () => {
    // A run whose artifact holds an MLmodel and a 2 GB pickle, written as a
    // sparse file straight into the server's artifact store.
    const experiment = await mlflowAdminApi(
      'GET',
      'experiments/get-by-name?experiment_name=serialization-budget',
    ).catch(() =>
      mlflowAdminApi('POST', 'experiments/create', {
        name: 'serialization-budget',
      }),
    );
    const experimentId =
      experiment.experiment_id ?? experiment.experiment?.experiment_id;
    const { run } = await mlflowAdminApi('POST', 'runs/create', {
      experiment_id: experimentId,
    });
    const uri: string = run.info.artifact_uri;
    const dir = path.join(
      PLATFORM_STATE_DIR,
      'mlflow',
      'artifacts',
      uri.replace(/^mlflow-artifacts:\/*/, ''),
      'model',
    );
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'MLmodel'),
      'flavors:\n  sklearn: {pickled_model: model.pkl, serialization_format: pickle}\n',
    );
    file = path.join(dir, 'model.pkl');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, Buffer.from([0x80, 0x04, 0x95]));
    fs.ftruncateSync(fd, 2 * 1024 ** 3);
    fs.closeSync(fd);
    await mlflowAdminApi('POST', 'registered-models/create', { name: model });
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: model,
      source: `${uri}/model`,
      run_id: run.info.run_id,
    });

    const client = new MlflowClient({
      baseUrl: mlflow.url,
      auth: { username: mlflow.username, password: mlflow.password },
    });
    const inspector = createVersionInspector({ client });
    const before = process.memoryUsage();
    const version = { safety: await inspector.judge(model, '1') };
    const after = process.memoryUsage();

    expect(version?.safety).toMatchObject({
      safety: 'unknown',
      source: 'bytes',
      files: [
        expect.objectContaining({
          path: 'model.pkl',
          safety: 'unknown',
          size: 2 * 1024 ** 3,
          reason: expect.stringMatching(/^Over budget: 2147483648 bytes/),
        }),
        expect.anything(),
      ],
    });
    // Only the header was read: at most the 64 KiB probe and a chunk.
    expect(version.safety.bytesRead).toBeLessThan(1024 * 1024);
    expect(client.artifactBytesRead).toBeLessThan(1024 * 1024);
    const grewMb = (after.rss - before.rss) / 1024 ** 2;
    console.info(
      `2 GB artifact: ${
        client.artifactBytesRead
      } bytes received, RSS grew ${grewMb.toFixed(1)} MB`,
    );
    expect(grewMb).toBeLessThan(8);
  });
});
