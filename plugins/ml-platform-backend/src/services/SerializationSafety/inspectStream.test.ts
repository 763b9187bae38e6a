import fs from 'node:fs';
import path from 'node:path';
import { ByteReader, bufferSource } from './bytes/ByteReader';
import { inspectStream } from './inspectStream';

// Hand-made files of every format and trick, written by
// scripts/fixtures/write_artifact_fixtures.py (standard library only).
const FIXTURES = path.join(__dirname, '__fixtures__', 'bytes');

async function inspect(name: string, limit = 10_000_000, chunk = 7) {
  const bytes = fs.readFileSync(path.join(FIXTURES, name));
  // Small chunks: every format must cope with a header split anywhere.
  return inspectStream(new ByteReader(bufferSource(bytes, chunk), limit), {
    path: name,
  });
}

const imported = (f: { imports?: Array<{ module: string; name: string }> }) =>
  (f.imports ?? []).map(i => `${i.module}.${i.name}`);

describe('inspectStream', () => {
  it.each([0, 1, 2, 3, 4, 5])(
    'calls a protocol %i pickle of plain data safe',
    async protocol => {
      const found = await inspect(`data-p${protocol}.pkl`);
      expect(found).toMatchObject({ format: 'pickle', safety: 'safe' });
    },
  );

  it.each([
    ['os-system-p0.pkl', 'posix.system'],
    ['os-system-p2.pkl', 'posix.system'],
    ['os-system-p4.pkl', 'posix.system'],
    ['eval-p5.pkl', 'builtins.eval'],
    ['disguised.onnx', 'posix.system'],
    ['broken-after-exec.pkl', 'posix.system'],
  ])('finds the dangerous import of %s', async (name, global) => {
    const found = await inspect(name);
    expect(found.safety).toBe('unsafe');
    expect(found.format).toBe('pickle');
    expect(found.imports).toEqual([
      expect.objectContaining({
        module: global.split('.')[0],
        name: global.split('.')[1],
        risk: 'dangerous',
      }),
    ]);
  });

  it('calls a library class suspicious: its own code runs on load', async () => {
    const found = await inspect('sklearn-like.pkl');
    expect(found.safety).toBe('unsafe');
    expect(found.imports).toEqual([
      {
        module: 'sklearn.linear_model._base',
        name: 'LinearRegression',
        risk: 'suspicious',
      },
    ]);
    expect(found.reason).toContain(
      'sklearn.linear_model._base.LinearRegression',
    );
  });

  it('reads past raw array bytes that joblib writes between opcodes', async () => {
    for (const name of [
      'joblib-array-then-exec.joblib',
      'joblib-array-then-exec.joblib.gz',
      'joblib-array-then-exec.joblib.z',
    ]) {
      const found = await inspect(name, 10_000_000, 5);
      expect({ name, safety: found.safety, imports: imported(found) }).toEqual({
        name,
        safety: 'unsafe',
        imports: ['posix.system'],
      });
      expect(found.innocuousImports).toBe(2); // NumpyArrayWrapper, numpy.dtype
    }
  });

  it('calls an xz stream unknown: it is not decompressed', async () => {
    expect((await inspect('joblib-array-then-exec.joblib.xz')).safety).toBe(
      'unknown',
    );
  });

  it('reads a pickle followed by raw storage bytes as one pickle of data', async () => {
    expect(await inspect('trailing-data.pkl')).toMatchObject({
      safety: 'safe',
      format: 'pickle',
    });
  });

  it.each([
    ['torch-like.pt', 'unsafe', ['posix.system'], /data\.pkl/],
    ['torch-like-benign.pt', 'safe', [], /data\.pkl \(pickle\)/],
    ['hidden-in-zip.zip', 'unsafe', ['posix.system'], /weights\.bin/],
  ])('looks inside the zip %s', async (name, safety, risky, entry) => {
    const found = await inspect(name, 10_000_000, 3);
    expect(found).toMatchObject({ safety, format: 'zip of pickles' });
    expect(imported(found)).toEqual(risky);
    expect(found.reason).toMatch(entry);
  });

  it('reads only the header of a safetensors file', async () => {
    expect(await inspect('weights.safetensors')).toMatchObject({
      format: 'safetensors',
      safety: 'safe',
    });
    expect((await inspect('not-really.safetensors')).safety).not.toBe('safe');
  });

  it('finds the pickle behind a NumPy object array', async () => {
    expect(await inspect('floats.npy')).toMatchObject({ safety: 'safe' });
    expect(await inspect('structured.npy')).toMatchObject({ safety: 'safe' });
    const objects = await inspect('objects.npy');
    expect(objects.safety).toBe('unsafe');
    expect(imported(objects)).toEqual(['posix.system']);
  });

  it.each([
    ['dense.keras', 'safe', []],
    [
      'lambda.keras',
      'unsafe',
      ['keras.layers.Lambda', 'keras.layers.__lambda__'],
    ],
    ['custom-object.keras', 'unsafe', ['my_company.layers.Scaler']],
    ['lambda.h5', 'unsafe', ['keras.layers.Lambda']],
    ['weights-only.h5', 'safe', []],
  ])('judges the Keras file %s by its config', async (name, safety, risky) => {
    const found = await inspect(name);
    expect(found.safety).toBe(safety);
    expect(imported(found)).toEqual(risky);
  });

  it('judges a skops file by the types its schema names', async () => {
    expect(await inspect('linear.skops')).toMatchObject({
      format: 'skops',
      safety: 'safe',
    });
    const found = await inspect('eval.skops');
    expect(found).toMatchObject({ format: 'skops', safety: 'unsafe' });
    expect(imported(found)).toEqual(['builtins.eval']);
  });

  it('stops at the budget and says so', async () => {
    const found = await inspect('joblib-array-then-exec.joblib', 40);
    expect(found.safety).toBe('unknown');
    expect(found.reason).toMatch(/budget/);
  });

  it('calls text and unknown binaries data', async () => {
    for (const text of [
      'flavors:\n  sklearn: {}\n',
      'channels:\n- conda-forge\ndependencies:\n- python=3.11\n',
      'cloudpickle==3.1.1\nmlflow==3.17.2\n',
      'import os\nos.system("x")\n',
    ]) {
      const found = await inspectStream(
        new ByteReader(bufferSource(Buffer.from(text))),
        { path: 'MLmodel' },
      );
      expect({ text, safety: found.safety, format: found.format }).toEqual({
        text,
        safety: 'safe',
        format: 'data',
      });
    }
  });
});
