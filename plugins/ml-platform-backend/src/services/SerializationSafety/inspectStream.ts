import type { SafetyFileFinding } from '@mlplatform/plugin-ml-platform-common';
import { Decompress, Unzip, UnzipInflate } from 'fflate';
import { ByteReader, OverBudgetError } from './bytes/ByteReader';
import { Channel } from './bytes/Channel';
import { byDecisiveness, finding, worstSafety } from './formats/findings';
import {
  inspectKerasConfig,
  inspectSkopsSchema,
} from './formats/inspectJsonConfigs';
import { inspectPickle } from './formats/inspectPickle';
import { looksLikePickleStart } from './pickle/walkPickle';

/** JSON documents (skops schemas, Keras configs) are read whole up to this size. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;
const MAX_DEPTH = 3;
const H5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface InspectOptions {
  /** Shown in findings: the artifact path, `!entry` for zip members. */
  path: string;
  /** Containers nest (a zip in a gzip): how deep this one is. */
  depth?: number;
}

const startsWith = (bytes: Uint8Array, magic: number[] | string) => {
  const m =
    typeof magic === 'string' ? [...magic].map(c => c.charCodeAt(0)) : magic;
  return m.every((b, i) => bytes[i] === b);
};

/**
 * Judges one file (or zip member) from its bytes, whatever its name says:
 * pickles by their opcodes, zips by their members, compressed streams by
 * what they decompress to, Keras and skops files by the types they name,
 * safetensors, ONNX and NumPy files by their headers. A format that cannot
 * run code on load is data.
 */
export async function inspectStream(
  reader: ByteReader,
  options: InspectOptions,
): Promise<SafetyFileFinding> {
  const { path } = options;
  const depth = options.depth ?? 0;
  const name = path.split(/[/!]/).pop() ?? path;
  try {
    const head = await reader.peek(16);
    if (head.length === 0) return finding(path, 'data', 'safe', 'Empty.');
    if (startsWith(head, 'PK\x03\x04') || startsWith(head, 'PK\x05\x06')) {
      return await inspectZip(reader, path, depth);
    }
    if (startsWith(head, [0x1f, 0x8b]) || isZlib(head)) {
      return await inspectCompressed(reader, path, depth);
    }
    if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) {
      return finding(
        path,
        'xz',
        'unknown',
        'xz-compressed: its content could not be read, so it may hold a pickle.',
      );
    }
    if (startsWith(head, [0x04, 0x22, 0x4d, 0x18]) || startsWith(head, 'BZh')) {
      return finding(
        path,
        'compressed',
        'unknown',
        'lz4- or bz2-compressed: its content could not be read, so it may hold a pickle.',
      );
    }
    if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) {
      return await inspectPickle(reader, path);
    }
    if (
      startsWith(head, [0x93, ...'NUMPY'.split('').map(c => c.charCodeAt(0))])
    ) {
      return await inspectNpy(reader, path);
    }
    if (startsWith(head, H5_MAGIC)) return await inspectH5(reader, path);
    if (looksLikeSafetensors(head)) {
      return await inspectSafetensors(reader, path);
    }
    if (/\.onnx$/i.test(name) && looksLikeProtobuf(head)) {
      return finding(
        path,
        'onnx',
        'safe',
        'ONNX protobuf: a graph of operators and weights, loaded without running Python.',
      );
    }
    if (/\.pb$/i.test(name) && looksLikeProtobuf(head)) {
      return await inspectTensorflowGraph(reader, path);
    }
    if (depth > 0 && name === 'schema.json') {
      return inspectSkopsSchema(await readJson(reader), path);
    }
    if (depth > 0 && name === 'config.json') {
      const config = await readJson(reader);
      if (config && typeof config === 'object' && 'class_name' in config) {
        return inspectKerasConfig(config, path, 'keras');
      }
      return finding(path, 'json', 'safe', 'JSON data.');
    }
    if (looksLikePickleStart(head[0])) {
      const pickled = await inspectPickle(reader, path);
      // Text that starts like a protocol 0 pickle fails at once, importing
      // nothing: then it is not a pickle any loader would read.
      if (pickled.safety !== 'unknown' || pickled.imports) return pickled;
      if (reader.position > 64) return pickled;
    }
    return finding(
      path,
      'data',
      'safe',
      'Not a format that runs code when loaded.',
    );
  } catch (e) {
    if (e instanceof OverBudgetError) {
      return finding(
        path,
        'data',
        'unknown',
        `Over the inspection budget: ${e.message}.`,
      );
    }
    return finding(
      path,
      'data',
      'unknown',
      `Could not be read: ${(e as Error).message}.`,
    );
  }
}

function isZlib(head: Uint8Array) {
  return (
    head[0] === 0x78 &&
    [0x01, 0x5e, 0x9c, 0xda].includes(head[1]) &&
    ((head[0] << 8) | head[1]) % 31 === 0
  );
}

function looksLikeSafetensors(head: Uint8Array) {
  if (head.length < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(MAX_SAFETENSORS_HEADER) && head[8] === 0x7b;
}

/** Field 1 (ir_version) or another low field number, as a varint or bytes. */
function looksLikeProtobuf(head: Uint8Array) {
  const field = head[0] >> 3;
  const wire = head[0] & 7;
  return field >= 1 && field <= 15 && (wire === 0 || wire === 2);
}

async function readAll(reader: ByteReader, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  while (!(await reader.atEnd())) {
    const take = Math.min(reader.buffered, 1 << 20);
    if (n + take > max) throw new RangeError(`larger than ${max} bytes`);
    parts.push(await reader.read(take));
    n += take;
  }
  return Buffer.concat(parts);
}

async function readJson(reader: ByteReader): Promise<unknown> {
  const bytes = await readAll(reader, MAX_JSON_BYTES);
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function inspectSafetensors(reader: ByteReader, path: string) {
  const n = Number(
    new DataView((await reader.read(8)).buffer).getBigUint64(0, true),
  );
  const header = JSON.parse(new TextDecoder().decode(await reader.read(n)));
  const tensors = Object.entries(header as Record<string, any>).filter(
    ([k]) => k !== '__metadata__',
  );
  const valid = tensors.every(
    ([, t]) =>
      typeof t?.dtype === 'string' &&
      Array.isArray(t.shape) &&
      Array.isArray(t.data_offsets) &&
      t.data_offsets.length === 2,
  );
  await reader.close();
  if (!valid) {
    return finding(
      path,
      'safetensors',
      'unknown',
      'A safetensors header that does not describe tensors.',
    );
  }
  return finding(
    path,
    'safetensors',
    'safe',
    `safetensors: ${tensors.length} tensors, data only (only the header was read).`,
  );
}

async function inspectNpy(reader: ByteReader, path: string) {
  const magic = await reader.read(8);
  const length =
    magic[6] === 1
      ? new DataView((await reader.read(2)).buffer).getUint16(0, true)
      : new DataView((await reader.read(4)).buffer).getUint32(0, true);
  const header = new TextDecoder('latin1').decode(await reader.read(length));
  // A plain dtype ('<f8') or a structured one ([('left', '<i8'), ...]);
  // an object array ('O' anywhere) is its items pickled after the header.
  const descr = /'descr':\s*(.*?),\s*'fortran_order'/s.exec(header)?.[1];
  if (descr === undefined || /['"][|<>=]?O\d*['"]/.test(descr)) {
    return inspectPickle(reader, path, 'npy');
  }
  await reader.close();
  return finding(path, 'npy', 'safe', `A NumPy array of ${descr}: data only.`);
}

/**
 * Legacy Keras H5 keeps the model's JSON config in the `model_config`
 * attribute; h5py writes it as one contiguous string, so it is found by
 * scanning the bytes for the JSON object, without an HDF5 library.
 */
async function inspectH5(reader: ByteReader, path: string) {
  const marker = new TextEncoder().encode('{"class_name"');
  let matched = 0;
  while (!(await reader.atEnd())) {
    const b = await reader.readByte();
    if (b === marker[matched]) matched += 1;
    else matched = b === marker[0] ? 1 : 0;
    if (matched === marker.length) {
      const json = await readJsonObject(reader, marker);
      await reader.close();
      return inspectKerasConfig(JSON.parse(json), path, 'keras-h5');
    }
  }
  return finding(
    path,
    'hdf5',
    'safe',
    'HDF5 without a Keras model config: weights and data only.',
  );
}

/** The rest of a JSON object whose first bytes were `prefix`. */
async function readJsonObject(reader: ByteReader, prefix: Uint8Array) {
  const out: number[] = [...prefix];
  let depth = 1;
  let inString = true; // the prefix ends inside "class_name"? no: after it
  inString = false;
  let escaped = false;
  while (depth > 0) {
    const b = await reader.readByte();
    if (out.length > MAX_JSON_BYTES) throw new RangeError('config too large');
    out.push(b);
    if (inString) {
      if (escaped) escaped = false;
      else if (b === 0x5c) escaped = true;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b) depth += 1;
    else if (b === 0x7d) depth -= 1;
  }
  return new TextDecoder().decode(Uint8Array.from(out));
}

// Graph ops that read or write files or call back into Python, as modelscan
// flags them in TensorFlow SavedModels: NodeDef.op is field 2 (tag 0x12).
const TF_OPS = [
  'ReadFile',
  'WriteFile',
  'PyFunc',
  'PyFuncStateless',
  'EagerPyFunc',
];

async function inspectTensorflowGraph(reader: ByteReader, path: string) {
  const patterns = TF_OPS.map(op => [
    0x12,
    op.length,
    ...[...op].map(c => c.charCodeAt(0)),
  ]);
  const found = new Set<string>();
  const window: number[] = [];
  const longest = Math.max(...patterns.map(p => p.length));
  while (!(await reader.atEnd())) {
    window.push(await reader.readByte());
    if (window.length > longest) window.shift();
    patterns.forEach((p, i) => {
      if (
        window.length >= p.length &&
        p.every((b, j) => window[window.length - p.length + j] === b)
      ) {
        found.add(TF_OPS[i]);
      }
    });
  }
  if (found.size > 0) {
    return finding(
      path,
      'tensorflow',
      'unsafe',
      `The TensorFlow graph has operations that touch files or run Python: ${[
        ...found,
      ].join(', ')}.`,
      [...found].map(op => ({
        module: 'tensorflow.raw_ops',
        name: op,
        risk: 'dangerous' as const,
      })),
    );
  }
  return finding(
    path,
    'tensorflow',
    'safe',
    'A TensorFlow graph without file or Python operations.',
  );
}

/** Pushes what the reader holds into a push-based decoder, waiting for its consumers. */
async function pump(
  reader: ByteReader,
  push: (chunk: Uint8Array, final: boolean) => void,
  consumersDrained: () => Promise<void>,
) {
  while (!(await reader.atEnd())) {
    const chunk = await reader.read(Math.min(reader.buffered, 256 * 1024));
    push(chunk, false);
    await consumersDrained();
  }
  push(new Uint8Array(0), true);
  await consumersDrained();
}

async function inspectCompressed(
  reader: ByteReader,
  path: string,
  depth: number,
): Promise<SafetyFileFinding> {
  if (depth >= MAX_DEPTH) {
    return finding(
      path,
      'compressed',
      'unknown',
      'Compressed too many levels deep.',
    );
  }
  const channel = new Channel();
  // Decompressed bytes are held to the same budget as the file itself.
  const inner = inspectStream(new ByteReader(channel, reader.limit), {
    path,
    depth: depth + 1,
  }).finally(() => channel.close());
  const decoder = new Decompress((chunk, final) => {
    channel.push(chunk);
    if (final) channel.end();
  });
  try {
    await pump(
      reader,
      (chunk, final) => {
        if (!channel.closed) decoder.push(chunk, final);
      },
      () => channel.drained(),
    );
  } catch (e) {
    channel.end();
    await inner.catch(() => undefined);
    throw e;
  }
  channel.end();
  const found = await inner;
  return { ...found, format: `compressed ${found.format}` };
}

async function inspectZip(
  reader: ByteReader,
  path: string,
  depth: number,
): Promise<SafetyFileFinding> {
  if (depth >= MAX_DEPTH) {
    return finding(path, 'zip', 'unknown', 'Zips nested too many levels deep.');
  }
  const entries: Array<Promise<SafetyFileFinding>> = [];
  const open = new Set<Channel>();
  let error: Error | undefined;
  const unzip = new Unzip(file => {
    const channel = new Channel();
    open.add(channel);
    entries.push(
      inspectStream(new ByteReader(channel, reader.limit), {
        path: `${path}!${file.name}`,
        depth: depth + 1,
      }).finally(() => {
        channel.close();
        open.delete(channel);
      }),
    );
    file.ondata = (err, chunk, final) => {
      if (err) {
        error = err;
        channel.end();
        return;
      }
      channel.push(chunk);
      if (final) channel.end();
    };
    try {
      file.start();
    } catch (e) {
      // A compression method fflate cannot read (e.g. LZMA).
      channel.end();
      entries.push(
        Promise.resolve(
          finding(
            `${path}!${file.name}`,
            'zip entry',
            'unknown',
            `Compressed with method ${file.compression}, which cannot be read.`,
          ),
        ),
      );
    }
  });
  unzip.register(UnzipInflate);
  await pump(
    reader,
    (chunk, final) => unzip.push(chunk, final),
    async () => {
      for (const c of [...open]) await c.drained();
    },
  );
  for (const c of open) c.end();
  const found = (await Promise.all(entries)).sort(byDecisiveness);
  if (error) {
    found.unshift(
      finding(path, 'zip', 'unknown', `A broken zip: ${error.message}.`),
    );
  }
  const safety = worstSafety(found.map(f => f.safety));
  const format = zipFormat(found);
  const entryName = (f: SafetyFileFinding) => f.path.slice(path.length + 1);
  const reason = zipReason(found, safety, entryName);
  const imports = found.flatMap(f => f.imports ?? []);
  const innocuous = found.reduce((n, f) => n + (f.innocuousImports ?? 0), 0);
  return {
    path,
    format,
    safety,
    reason,
    ...(imports.length > 0 && { imports: imports.slice(0, 40) }),
    ...(innocuous > 0 && { innocuousImports: innocuous }),
  };
}

function zipFormat(found: SafetyFileFinding[]): string {
  if (
    found.some(f => f.path.endsWith('!schema.json') && f.format === 'skops')
  ) {
    return 'skops';
  }
  if (found.some(f => f.format === 'keras')) return 'keras';
  if (found.some(f => f.format.includes('pickle'))) return 'zip of pickles';
  return 'zip';
}

function zipReason(
  found: SafetyFileFinding[],
  safety: SafetyFileFinding['safety'],
  entryName: (f: SafetyFileFinding) => string,
): string {
  if (found.length === 0) return 'An empty zip.';
  if (safety === 'safe') {
    return `A zip of ${found.length} entries, each data only: ${found
      .slice(0, 4)
      .map(f => `${entryName(f)} (${f.format})`)
      .join(', ')}${found.length > 4 ? ', …' : ''}.`;
  }
  return found
    .filter(f => f.safety === safety)
    .slice(0, 3)
    .map(f => `${entryName(f)}: ${f.reason}`)
    .join(' ');
}
