// The README's install guide as steps: each fenced block that follows an
// `<!-- install-check: <id> [where] -->` line is one, taken as printed.
// `where`, for a code change, is JSON: the `file` it goes into and the text
// there that it goes `before`, `after` or in place of (`replace`), as the
// README's sentence before the block says.
//
//   readme.mjs block <id>                   prints the block
//   readme.mjs merge <id> <file>            merges a YAML or JSON block into a YAML or JSON file
//                                           (lists gain the block's items: "add ... to the list")
//   readme.mjs backend <id> <index.ts>      adds a TypeScript block's statements before backend.start()
//   readme.mjs edit <id> <app dir>          puts a TSX block where its `where` says, its imports
//                                           after the file's own
//   readme.mjs ids                          every step's id, in the README's order
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'yaml';

const README = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../README.md',
);

function fail(message) {
  process.stderr.write(`readme.mjs: ${message}\n`);
  process.exit(1);
}

/** Every marked block: its id, the README line of its fence and its text. */
function steps() {
  const lines = fs.readFileSync(README, 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const marker =
      /^\s*<!-- install-check: ([\w-]+)(?: (\{.*\}))? -->\s*$/.exec(lines[i]);
    if (!marker) continue;
    let open = i + 1;
    while (open < lines.length && lines[open].trim() === '') open++;
    const fence = /^( *)```(\w+)\s*$/.exec(lines[open] ?? '');
    if (!fence) fail(`README.md:${i + 1}: no fenced block after the marker`);
    const indent = fence[1].length;
    const body = [];
    let j = open + 1;
    while (j < lines.length && lines[j].trim() !== '```') {
      body.push(lines[j].slice(indent));
      j++;
    }
    if (j === lines.length) fail(`README.md:${open + 1}: unclosed block`);
    let where;
    try {
      where = marker[2] && JSON.parse(marker[2]);
    } catch (e) {
      fail(`README.md:${i + 1}: the marker's JSON: ${e.message}`);
    }
    found.push({
      id: marker[1],
      where,
      line: open + 1,
      language: fence[2],
      text: `${body.join('\n')}\n`,
    });
    i = j;
  }
  return found;
}

function step(id) {
  const found = steps().filter(s => s.id === id);
  if (found.length !== 1) {
    fail(`README.md has ${found.length} blocks marked '${id}', not one`);
  }
  return found[0];
}

const isObject = v => v && typeof v === 'object' && !Array.isArray(v);

/** `into` with `from` laid over it; a list keeps its items and gains the new ones. */
function merge(into, from) {
  if (Array.isArray(into) && Array.isArray(from)) {
    const seen = new Set(into.map(v => JSON.stringify(v)));
    return [...into, ...from.filter(v => !seen.has(JSON.stringify(v)))];
  }
  if (isObject(into) && isObject(from)) {
    const out = { ...into };
    for (const [key, value] of Object.entries(from)) {
      out[key] = key in into ? merge(into[key], value) : value;
    }
    return out;
  }
  return from;
}

/** A TSX block's import statements and the rest, comments left out. */
function splitImports(text) {
  const imports = [];
  const rest = [];
  let statement;
  for (const line of text.split('\n')) {
    if (statement) {
      statement.push(line);
      if (line.trimEnd().endsWith(';')) statement = undefined;
    } else if (line.startsWith('import ')) {
      statement = [line];
      imports.push(statement);
      if (line.trimEnd().endsWith(';')) statement = undefined;
    } else if (!line.trim().startsWith('//')) {
      rest.push(line);
    }
  }
  return {
    imports: imports.map(s => s.join('\n')),
    // The formatter ends the README's JSX, a statement there, with a `;`.
    code: rest.join('\n').trim().replace(/;$/, ''),
  };
}

/** `source` with `statements` after its last import statement. */
function addImports(source, statements) {
  const lines = source.split('\n');
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('import ')) continue;
    let end = i;
    while (!lines[end].trimEnd().endsWith(';')) end++;
    last = end;
    i = end;
  }
  lines.splice(last + 1, 0, ...statements);
  return lines.join('\n');
}

function edit(id, appDir) {
  const { where, text, line } = step(id);
  if (!where?.file)
    fail(`README.md:${line}: the marker of '${id}' names no file`);
  const how = ['before', 'after', 'replace'].find(k => k in where);
  if (!how)
    fail(
      `README.md:${line}: the marker of '${id}' says neither before, after nor replace`,
    );
  const file = path.join(appDir, where.file);
  let source = fs.readFileSync(file, 'utf8');
  const anchor = where[how];
  const at = source.indexOf(anchor);
  if (at === -1 || source.indexOf(anchor, at + 1) !== -1) {
    fail(
      `${where.file} has ${at === -1 ? 'no' : 'more than one'} ${JSON.stringify(
        anchor,
      )}`,
    );
  }
  const end = at + anchor.length;
  // Indented as the line the anchor starts (or, after it, ends) on.
  const lineOf = how === 'after' ? end : at;
  const indent = /^\s*/.exec(
    source.slice(source.lastIndexOf('\n', lineOf - 1) + 1),
  )[0];
  const split = splitImports(text);
  const { imports } = split;
  const code = split.code
    .split('\n')
    .map((l, i) => (i === 0 && how !== 'after' ? l : `${indent}${l}`))
    .join('\n');
  if (how === 'before')
    source = `${source.slice(0, at)}${code}\n${indent}${source.slice(at)}`;
  if (how === 'after')
    source = `${source.slice(0, end)}\n${code}${source.slice(end)}`;
  if (how === 'replace')
    source = `${source.slice(0, at)}${code}${source.slice(end)}`;
  fs.writeFileSync(file, addImports(source, imports));
  process.stdout.write(
    `    put README.md:${line} into ${where.file} (${how} ${JSON.stringify(
      anchor.split('\n')[0],
    )})\n`,
  );
}

const [command, id, file] = process.argv.slice(2);
switch (command) {
  case 'ids':
    for (const s of steps()) process.stdout.write(`${s.id}\n`);
    break;
  case 'block':
    process.stdout.write(step(id).text);
    break;
  case 'merge': {
    const { text, line } = step(id);
    const json = file.endsWith('.json');
    const current = fs.existsSync(file)
      ? yaml.parse(fs.readFileSync(file, 'utf8'))
      : {};
    const merged = merge(current ?? {}, yaml.parse(text));
    fs.writeFileSync(
      file,
      json
        ? `${JSON.stringify(merged, null, 2)}\n`
        : yaml.stringify(merged, { lineWidth: 0 }),
    );
    process.stdout.write(`    merged README.md:${line} into ${file}\n`);
    break;
  }
  case 'backend': {
    const { text, line } = step(id);
    const statements = text
      .split('\n')
      .filter(l => l.trim() !== '' && !l.trim().startsWith('//'))
      .join('\n');
    const source = fs.readFileSync(file, 'utf8');
    const start = 'backend.start();';
    if (!source.includes(start)) fail(`${file} has no ${start}`);
    fs.writeFileSync(file, source.replace(start, `${statements}\n\n${start}`));
    process.stdout.write(`    added README.md:${line} to ${file}\n`);
    break;
  }
  case 'edit':
    edit(id, file);
    break;
  default:
    fail(`unknown command '${command}'`);
}
