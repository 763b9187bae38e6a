/**
 * JSON as Python's `json.dumps` writes it (`, ` and `: ` between items, only
 * ASCII): the first seeds were written in Python, and what they derived from
 * this text (pod template hashes in object names, an annotation's value)
 * must come out the same, or a re-seed would change the objects.
 */
export function pythonJsonDumps(value, { sortKeys = false } = {}) {
  const dump = v => {
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
    if (typeof v === 'object') {
      const keys = Object.keys(v).filter(k => v[k] !== undefined);
      if (sortKeys) keys.sort();
      return `{${keys
        .map(k => `${asciiString(k)}: ${dump(v[k])}`)
        .join(', ')}}`;
    }
    if (typeof v === 'string') return asciiString(v);
    return JSON.stringify(v);
  };
  return dump(value);
}

/** ensure_ascii: whatever is not printable ASCII as \uXXXX. */
function asciiString(s) {
  return JSON.stringify(s).replace(
    /[^\x20-\x7e]/g,
    ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
