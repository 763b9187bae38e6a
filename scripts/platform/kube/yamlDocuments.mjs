import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Fatal } from './fatal.mjs';

const require = createRequire(import.meta.url);

const FLOAT = 'tag:yaml.org,2002:float';

/**
 * YAML 1.1's plain float with a digit required, as PyYAML and Go's YAML read
 * it: the yaml package's also takes a bare `.` (e.g. a build context) for a
 * number, NaN.
 */
function floatsWithADigit(tags) {
  return tags.map(tag =>
    tag.tag === FLOAT && !tag.format && tag.test?.test('.')
      ? { ...tag, test: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/ }
      : tag,
  );
}

/**
 * YAML 1.1, as the apiserver's own decoder (and the projects that wrote these
 * manifests) read it: `yes` and `on` are booleans, `0644` is octal. A key
 * given twice keeps its last value, as there too.
 */
const OPTIONS = {
  version: '1.1',
  uniqueKeys: false,
  customTags: floatsWithADigit,
};

function loadYaml() {
  try {
    return require('yaml');
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Fatal(
      'the yaml package cannot be loaded: run `yarn install` first',
    );
  }
}

/** Every non-empty document of the YAML (or JSON) files, as [file, document]. */
export function* loadDocuments(files) {
  const yaml = loadYaml();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const doc of yaml.parseAllDocuments(text, OPTIONS)) {
      if (doc.errors.length > 0) {
        throw new Fatal(`${file}: ${doc.errors[0].message}`);
      }
      const value = doc.toJS({ maxAliasCount: -1 });
      if (isEmpty(value)) continue;
      yield [file, value];
    }
  }
}

function isEmpty(value) {
  if (value === null || value === undefined) return true;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** The documents as YAML, `---` between them. */
export function dumpDocuments(docs) {
  const yaml = loadYaml();
  return docs.map(doc => yaml.stringify(doc, OPTIONS)).join('---\n');
}
