import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '@backstage/config';
import { ConfigSources, loadConfigSchema } from '@backstage/config-loader';
import yaml from 'yaml';

// What the READMEs tell an adopter to copy into app-config.yaml: every YAML
// block parses as printed, and the configuration ones load the way the
// backend loads them and pass the config schema of every plugin. And what
// the frontend reads of that configuration reaches the browser.

jest.setTimeout(120_000);

// Only tests import this file, and they run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const REPO = path.resolve(__dirname, '../../..');

const READMES = [
  'README.md',
  ...fs
    .readdirSync(path.join(REPO, 'plugins'))
    .map(dir => path.join('plugins', dir, 'README.md'))
    .filter(file => fs.existsSync(path.join(REPO, file))),
];

interface YamlBlock {
  /** `README.md:42`, the line of the opening fence. */
  where: string;
  text: string;
}

/** The fenced `yaml` blocks of a Markdown file, list items' indented ones too. */
function yamlBlocks(file: string): YamlBlock[] {
  const lines = fs.readFileSync(path.join(REPO, file), 'utf8').split('\n');
  const blocks: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```ya?ml\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== '```') {
      body.push(lines[j].slice(indent));
      j++;
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unclosed block`);
    blocks.push({ where: `${file}:${i + 1}`, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

const blocks = READMES.flatMap(yamlBlocks);

/**
 * Catalog entities (a descriptor, or the part of one a README shows) and
 * template snippets are not app-config; everything else is, a block that
 * does not parse too (so that it fails both ways).
 */
function isAppConfig(block: YamlBlock): boolean {
  const document = yaml.parseDocument(block.text);
  if (document.errors.length > 0) return true;
  const data = document.toJS();
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const descriptor = ['apiVersion', 'kind', 'metadata', 'spec', 'parameters'];
  return !Object.keys(data).some(key => descriptor.includes(key));
}

/** A block as the backend reads its config file, `${VAR}`s substituted. */
async function loadAsConfigFile(text: string): Promise<AppConfig[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-config-'));
  const file = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(file, text);
  const source = ConfigSources.default({
    argv: ['--config', file],
    rootDir: dir,
    substitutionFunc: async name => `value-of-${name}`,
  });
  try {
    for await (const { configs } of source.readConfigData()) {
      return configs;
    }
    throw new Error('no config read');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// What every app-config has besides the plugins' part (as create-app writes
// it), so that the core schema's required keys are there.
const base: AppConfig = {
  context: 'base',
  data: {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      baseUrl: 'http://localhost:7007',
      listen: { port: 7007 },
      database: { client: 'better-sqlite3', connection: ':memory:' },
    },
  },
};

const appConfigBlocks = blocks.filter(isAppConfig);

describe('the YAML of the READMEs', () => {
  it('has blocks to check, configuration ones among them', () => {
    expect(blocks).not.toHaveLength(0);
    expect(appConfigBlocks.map(b => b.where)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^README\.md:/)]),
    );
  });

  it.each(blocks.map(b => [b.where, b] as const))(
    '%s parses as printed',
    (_where, block) => {
      const document = yaml.parseDocument(block.text);
      expect(document.errors.map(e => e.message)).toEqual([]);
      expect(document.warnings.map(e => e.message)).toEqual([]);
    },
  );

  describe('configuration', () => {
    let schema: Awaited<ReturnType<typeof loadConfigSchema>>;

    beforeAll(async () => {
      // Every plugin this backend runs, ours and Backstage's (backend.actions,
      // kubernetes, ...), and the app's frontend plugins.
      schema = await loadConfigSchema({
        dependencies: ['backend'],
        packagePaths: [path.join(REPO, 'packages/backend/package.json')],
      });
    });

    it.each(appConfigBlocks.map(b => [b.where, b] as const))(
      '%s loads and passes the config schema',
      async (_where, block) => {
        const configs = await loadAsConfigFile(block.text);
        expect(() => schema.process([base, ...configs])).not.toThrow();
      },
    );
  });
});

describe('the configuration the frontend reads', () => {
  it("reaches the browser through the app's own config schema", async () => {
    // The app's build and the app backend filter what the browser gets by
    // the schema of the app's dependencies, which do not include the
    // backend plugin.
    const appSchema = await loadConfigSchema({
      dependencies: ['app'],
      packagePaths: [path.join(REPO, 'packages/app/package.json')],
    });
    const mlPlatform = {
      safety: { allowUnknown: [{ cluster: 'staging', namespace: 'ml' }] },
      rollouts: { servingAlias: 'production' },
    };
    const [frontend] = appSchema.process(
      [{ context: 'app-config.yaml', data: { ...base.data, mlPlatform } }],
      { visibility: ['frontend'] },
    );
    expect(frontend.data.mlPlatform).toEqual(mlPlatform);
  });
});
