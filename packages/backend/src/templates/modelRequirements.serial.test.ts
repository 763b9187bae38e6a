import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mlflowAdminApi, readPlatformFile } from 'platform-tests';
import type { LocalMlflow } from 'platform-tests';
import { REGISTER_MODEL_COPY, mlflowPython } from './__testUtils__/mlflowVenv';
import { cachedVenv, run, runToExit } from './__testUtils__/python';
import { TEMPLATES_DIR } from './__testUtils__/renderTemplate';

// The model service image's build stage, run the way its Dockerfile runs it
// (a fresh virtualenv with the template's own lock, then fetch_model.py and
// the loader), for versions of a model in the local MLflow: a copy of
// fraud-detector v6 as logged, and copies whose requirements.txt name a
// package the lock lacks or another version of one it has. Serial: it
// registers a model that other suites would list.

jest.setTimeout(900_000);

const SKELETON = path.join(TEMPLATES_DIR, 'model-service', 'skeleton');
// The build stage's commands, as the Dockerfile writes them.
const PIP_INSTALL = [
  'install',
  '--require-hashes',
  '--only-binary=:all:',
  '--no-deps',
  '-r',
  'requirements.txt',
];
const FETCH =
  'python fetch_model.py --model "$MODEL_NAME" --version "$MODEL_VERSION" --dest /model';
const LOAD = `MODEL_DIR=/model python -c "from pathlib import Path; from app.loader import load; load(Path('/model'))"`;

const model = `template-requirements-${process.pid}-${Date.now().toString(36)}`;
const mlflow = readPlatformFile<LocalMlflow>('mlflow');
const mlflowEnv = {
  MLFLOW_TRACKING_URI: mlflow.url,
  MLFLOW_TRACKING_USERNAME: mlflow.username,
  MLFLOW_TRACKING_PASSWORD: mlflow.password,
};

describe('the model service build stage with the requirements a model declares', () => {
  let workDir: string;
  let venv: string;
  let versions: {
    asLogged: string;
    extraPackage: string;
    otherVersion: string;
  };
  const python = () => path.join(venv, 'bin', 'python');
  const installed = () => run(python(), ['-m', 'pip', 'freeze', '--all']);

  beforeAll(() => {
    // A context of the service: what the Dockerfile copies into /src.
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-build-'));
    for (const f of ['app', 'fetch_model.py', 'requirements.txt']) {
      fs.cpSync(path.join(SKELETON, f), path.join(workDir, f), {
        recursive: true,
      });
    }
    venv = cachedVenv(
      'model-service-image',
      path.join(SKELETON, 'requirements.txt'),
      PIP_INSTALL.slice(1, -2),
    );
    // MLflow prints a line of its own per run; the versions come last.
    const lastLine = (out: string) => out.trim().split('\n').at(-1)!;
    const [asLogged, extraPackage, otherVersion] = JSON.parse(
      lastLine(
        run(
          mlflowPython(),
          [
            REGISTER_MODEL_COPY,
            'fraud-detector',
            '6',
            model,
            JSON.stringify([
              [],
              ['leftpad-evil==6.6.6'],
              ['onnxruntime==1.17.0'],
            ]),
          ],
          { env: mlflowEnv },
        ),
      ),
    );
    versions = { asLogged, extraPackage, otherVersion };
  });

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    await mlflowAdminApi('DELETE', 'registered-models/delete', {
      name: model,
    }).catch(() => undefined);
  });

  const build = (version: string) => {
    const dest = path.join(workDir, `model-${version}`);
    const fetched = runToExit(
      python(),
      [
        'fetch_model.py',
        '--model',
        model,
        '--version',
        version,
        '--dest',
        dest,
      ],
      { cwd: workDir, env: mlflowEnv },
    );
    return { dest, fetched };
  };

  it("runs the commands of the Dockerfile's build stage", () => {
    const dockerfile = fs.readFileSync(
      path.join(SKELETON, 'Dockerfile'),
      'utf8',
    );
    for (const command of [
      `RUN pip ${PIP_INSTALL.join(' ')}`,
      FETCH,
      `RUN ${LOAD}`,
    ]) {
      expect(dockerfile).toContain(command);
    }
  });

  it('builds a version whose requirements the lock meets, and loads it', () => {
    const { dest, fetched } = build(versions.asLogged);

    expect({ status: fetched.status, stderr: fetched.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(fetched.stdout).toContain(
      `models:/${model}/${versions.asLogged}: onnx model in ${dest}, its requirements met by requirements.txt`,
    );
    expect(
      fs.readFileSync(path.join(dest, 'requirements.txt'), 'utf8'),
    ).toMatch(/^onnxruntime==/m);
    const loaded = runToExit(
      python(),
      [
        '-c',
        'import sys; from pathlib import Path; from app.loader import load; print(load(Path(sys.argv[1])).spec.format)',
        dest,
      ],
      { cwd: workDir },
    );
    expect(loaded.stdout.trim()).toBe('onnx');
  });

  it.each([
    [
      'a package the lock lacks',
      () => versions.extraPackage,
      "leftpad-evil ('leftpad-evil==6.6.6') is not in the image's lock",
    ],
    [
      'another version of a package the lock has',
      () => versions.otherVersion,
      "onnxruntime==1.17.0 is required, the image's lock has onnxruntime==",
    ],
  ])(
    'refuses a version that declares %s, naming the package, and installs nothing',
    (_, version, named) => {
      const before = installed();

      const { dest, fetched } = build(version());

      expect(fetched.status).not.toBe(0);
      expect(fetched.stderr).toContain(
        `refusing models:/${model}/${version()}: its requirements.txt is not satisfied by the image's lock (requirements.txt): ${named}`,
      );
      // Refused before the model's files were downloaded; the venv is as
      // the lock made it.
      expect(fs.existsSync(dest)).toBe(false);
      expect(installed()).toBe(before);
      expect(before).not.toMatch(/leftpad-evil/i);
    },
  );
});
