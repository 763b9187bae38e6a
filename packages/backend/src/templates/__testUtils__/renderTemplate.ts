import fs from 'node:fs';
import path from 'node:path';
import { fetchAcrossRestarts } from 'platform-tests';
import yaml from 'yaml';

// Only tests import this file, and they run from source, never from a bundle.
export const TEMPLATES_DIR = path.resolve(
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../../templates',
);

function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === '__pycache__' || entry.name === '.pytest_cache') {
      return [];
    }
    return entry.isDirectory()
      ? filesUnder(path.join(dir, entry.name), rel)
      : [rel];
  });
}

/** What the scaffolder's dry run answered: the rendered files by path. */
export interface DryRunResult {
  status: number;
  body: any;
  files: Map<string, string>;
  /** The log lines of the steps, joined. */
  log: string;
}

/**
 * Runs a template of templates/ through the real scaffolder backend's dry run
 * (`POST /api/scaffolder/v2/dry-run`), the way the template editor does: the
 * template and every file of its folder are sent, nothing is published.
 */
export async function dryRunTemplate(options: {
  baseUrl: string;
  token: string;
  template: 'model-service' | 'processing-service';
  values: Record<string, unknown>;
}): Promise<DryRunResult> {
  const dir = path.join(TEMPLATES_DIR, options.template);
  const template = yaml.parse(
    fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'),
  );
  const directoryContents = filesUnder(dir).map(rel => ({
    path: rel,
    base64Content: fs.readFileSync(path.join(dir, rel)).toString('base64'),
  }));
  // A dry run changes nothing, so a request that met a pooled connection
  // the backend had just closed as idle is safely sent again.
  const res = await fetchAcrossRestarts(
    `${options.baseUrl}/api/scaffolder/v2/dry-run`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        template,
        values: options.values,
        directoryContents,
      }),
    },
  );
  const body = await res.json();
  const files = new Map<string, string>(
    (body.directoryContents ?? []).map(
      (f: { path: string; base64Content: string }) => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ],
    ),
  );
  const log = (body.log ?? [])
    .map((l: { body: { message: string } }) => l.body.message)
    .join('\n');
  return { status: res.status, body, files, log };
}

/** Writes rendered files into a directory, as a new repository would hold them. */
export function writeFiles(dir: string, files: Map<string, string>) {
  for (const [rel, content] of files) {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}
