import type {
  SafetyFileFinding,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import type { MlflowClient } from '../MlflowRegistry/MlflowClient';
import { ByteReader } from './bytes/ByteReader';
import { finding } from './formats/findings';
import { inspectStream } from './inspectStream';
import { judgeFromBytes, judgeFromMetadata } from './judgeVersion';
import { readMlModel } from './readMlModel';

/** How much of a version is read at most. */
export interface InspectionBudget {
  /** Bytes read of one file; a larger file is judged by its header only, where its format allows. */
  maxFileBytes: number;
  /** Bytes read of all files of one version together. */
  maxVersionBytes: number;
  /** Files listed per version. */
  maxFiles: number;
}

export const DEFAULT_BUDGET: InspectionBudget = {
  maxFileBytes: 256 * 1024 * 1024,
  maxVersionBytes: 1024 * 1024 * 1024,
  maxFiles: 2000,
};

/** What a file over the budget is read of, to tell a header-only format. */
const PROBE_BYTES = 64 * 1024;
const MAX_MLMODEL_BYTES = 1024 * 1024;
const MAX_DIRECTORY_DEPTH = 20;
// Files MLflow itself reads as text, YAML or JSON, never with a model
// loader: they are listed but not fetched.
const MLFLOW_TEXT_FILES = new Set([
  'MLmodel',
  'conda.yaml',
  'python_env.yaml',
  'requirements.txt',
  'input_example.json',
  'serving_input_example.json',
  'registered_model_meta',
]);
const HEADER_ONLY_FORMATS = new Set(['safetensors', 'onnx', 'npy']);

export interface ListedFile {
  path: string;
  size?: number;
}

/** A version's files, with a listing that tells whether it is whole. */
export interface VersionFiles {
  root: string;
  files: ListedFile[];
  truncated: boolean;
}

/** A stable summary of a listing: it changes when a file is added, removed or resized. */
export function listingFingerprint(files: ListedFile[]): string {
  return files
    .map(f => `${f.path}\u0000${f.size ?? ''}`)
    .sort()
    .join('\u0001');
}

export interface VersionInspector {
  /** Lists the version's files; undefined when its artifacts are not proxied by the server. */
  list(name: string, version: string): Promise<VersionFiles | undefined>;
  /** Reads the files within the budget and judges them. */
  judge(
    name: string,
    version: string,
    listed?: VersionFiles,
  ): Promise<SafetyVerdict>;
}

async function readText(source: AsyncIterable<Uint8Array>, max: number) {
  const reader = new ByteReader(source, max);
  const bytes: Uint8Array[] = [];
  while (!(await reader.atEnd()))
    bytes.push(await reader.read(reader.buffered));
  await reader.close();
  return Buffer.concat(bytes).toString('utf8');
}

/**
 * Reads model versions' artifacts through the MLflow server's artifact
 * proxy: lists every file and streams each one through the inspectors,
 * never holding a file in memory, within the budget.
 */
export function createVersionInspector(options: {
  client: MlflowClient;
  budget?: Partial<InspectionBudget>;
  now?: () => Date;
}): VersionInspector {
  const { client } = options;
  const budget = { ...DEFAULT_BUDGET, ...options.budget };
  const now = options.now ?? (() => new Date());

  async function list(name: string, version: string) {
    const uri = await client.getDownloadUri(name, version);
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
    if (!match) return undefined;
    const root = match[1].replace(/\/+$/, '');
    const files: ListedFile[] = [];
    let truncated = false;
    const walk = async (dir: string, depth: number) => {
      for (const entry of await client.listArtifacts(dir)) {
        // Listings name entries relative to the root or to the directory.
        let rel = entry.path;
        if (entry.path.startsWith(`${root}/`)) {
          rel = entry.path.slice(root.length + 1);
        } else if (dir !== root) {
          rel = `${dir.slice(root.length + 1)}/${entry.path.split('/').pop()}`;
        }
        if (entry.isDir) {
          if (depth >= MAX_DIRECTORY_DEPTH) truncated = true;
          else await walk(`${root}/${rel}`, depth + 1);
        } else if (files.length >= budget.maxFiles) {
          truncated = true;
        } else {
          files.push({ path: rel, size: entry.size });
        }
      }
    };
    await walk(root, 0);
    return { root, files, truncated };
  }

  async function inspectFile(
    root: string,
    file: ListedFile,
    left: number,
  ): Promise<{ found: SafetyFileFinding; read: number }> {
    const name = file.path.split('/').pop() ?? file.path;
    if (!file.path.includes('/') && MLFLOW_TEXT_FILES.has(name)) {
      const found = finding(
        file.path,
        'text',
        'safe',
        'Read by MLflow as text, never by a model loader.',
      );
      return { found: { ...found, size: file.size }, read: 0 };
    }
    const over = file.size !== undefined && file.size > budget.maxFileBytes;
    const limit = Math.min(over ? PROBE_BYTES : budget.maxFileBytes, left);
    const reader = new ByteReader(
      client.streamArtifact(`${root}/${file.path}`),
      limit,
    );
    let found: SafetyFileFinding;
    try {
      found = await inspectStream(reader, { path: file.path });
    } finally {
      await reader.close();
    }
    if (
      over &&
      !(found.safety === 'safe' && HEADER_ONLY_FORMATS.has(found.format))
    ) {
      if (found.safety !== 'unsafe') {
        found = finding(
          file.path,
          found.format,
          'unknown',
          `Over budget: ${file.size} bytes, more than the ${budget.maxFileBytes} read of one file.`,
        );
      }
    } else if (
      !over &&
      limit < budget.maxFileBytes &&
      found.safety === 'unknown' &&
      /budget/.test(found.reason)
    ) {
      found = {
        ...found,
        reason: `Over budget: the version's files together are larger than the ${budget.maxVersionBytes} bytes read of one version.`,
      };
    }
    return { found: { ...found, size: file.size }, read: reader.pulled };
  }

  async function judge(name: string, version: string, listed?: VersionFiles) {
    const checkedAt = now().toISOString();
    const files = listed ?? (await list(name, version));
    if (!files) {
      const facts = readMlModel(await client.getMlModelFile(name, version));
      return judgeFromMetadata(
        facts,
        'they are not served through the MLflow server’s artifact proxy',
        checkedAt,
      );
    }
    const mlmodel = await readText(
      client.streamArtifact(`${files.root}/MLmodel`),
      MAX_MLMODEL_BYTES,
    );
    const facts = readMlModel(mlmodel);
    let read = 0;
    const findings: SafetyFileFinding[] = [];
    // Small files first: a version over budget still gets most files read.
    const ordered = [...files.files].sort(
      (a, b) => (a.size ?? Infinity) - (b.size ?? Infinity),
    );
    for (const file of ordered) {
      const left = budget.maxVersionBytes - read;
      if (left <= 0) {
        findings.push({
          ...finding(
            file.path,
            'data',
            'unknown',
            `Over budget: not read, the version's files together are larger than the ${budget.maxVersionBytes} bytes read of one version.`,
          ),
          size: file.size,
        });
        continue;
      }
      const { found, read: n } = await inspectFile(files.root, file, left);
      read += n;
      findings.push(found);
    }
    if (files.truncated) {
      findings.push(
        finding(
          '…',
          'listing',
          'unknown',
          `The artifact has more than ${budget.maxFiles} files or directories nested too deep: the rest were not read.`,
        ),
      );
    }
    return judgeFromBytes({
      facts,
      files: findings,
      fileCount: files.files.length,
      bytesRead: read,
      checkedAt,
    });
  }

  return { list, judge };
}
