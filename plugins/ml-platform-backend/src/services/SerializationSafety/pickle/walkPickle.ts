import { ByteReader, OverBudgetError } from '../bytes/ByteReader';

/**
 * A symbolic pickle machine: it reads the opcodes of one or more pickle
 * streams and keeps track of the stack only as far as needed to know which
 * globals are imported and what is called with them. It never imports,
 * constructs or calls anything.
 */

/** Items kept per list, dict or tuple; the rest only counted. */
const MAX_ITEMS_KEPT = 64;
const MAX_STRING_KEPT = 1024;
const MAX_MEMO = 200_000;
const MAX_STACK = 100_000;
const IDENTIFIER_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

class Global {
  constructor(readonly module: string, readonly name: string) {}
}
class Obj {
  state: Value = undefined;
  constructor(readonly cls: Value, readonly args: Value) {}
}
class Bytes {
  constructor(readonly length: number) {}
}
class Container {
  items: Value[] = [];
  count = 0;
  constructor(readonly kind: 'list' | 'tuple' | 'dict' | 'set') {}
  add(v: Value) {
    this.count += 1;
    if (this.items.length < MAX_ITEMS_KEPT) this.items.push(v);
  }
}
class Mark {}
type Value =
  | undefined
  | null
  | boolean
  | number
  | string
  | Global
  | Obj
  | Bytes
  | Container
  | Mark;

/** One import the pickle makes, and how often what it imported is called. */
export interface PickleGlobal {
  module: string;
  name: string;
  /** REDUCE, NEWOBJ, NEWOBJ_EX, OBJ or INST on it. */
  calls: number;
}

export interface PickleWalk {
  globals: PickleGlobal[];
  /** Complete pickle streams read (a joblib file with object arrays has several). */
  streams: number;
  /** Why reading stopped before the end, if it did. */
  error?: string;
  overBudget?: boolean;
  /** joblib arrays whose raw bytes followed their wrapper. */
  joblibArrays: number;
  /** Bytes after the last stream that are not a pickle. */
  trailingBytes: boolean;
}

class PickleError extends Error {}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function text(bytes: Uint8Array, decoder = utf8): string {
  const s = decoder.decode(bytes);
  return s.length > MAX_STRING_KEPT ? s.slice(0, MAX_STRING_KEPT) : s;
}

function le(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + bytes[i];
  return n;
}

function isJoblibWrapper(v: Value): boolean {
  return (
    v instanceof Obj &&
    v.cls instanceof Global &&
    v.cls.name === 'NumpyArrayWrapper' &&
    v.cls.module.endsWith('joblib.numpy_pickle')
  );
}

function dictGet(d: Value, key: string): Value {
  if (!(d instanceof Container) || d.kind !== 'dict') return undefined;
  for (let i = 0; i + 1 < d.items.length; i += 2) {
    if (d.items[i] === key) return d.items[i + 1];
  }
  return undefined;
}

/** Bytes of the raw array joblib writes after a NumpyArrayWrapper, or 'object'. */
function joblibArrayBytes(state: Value): number | 'object' {
  const shape = dictGet(state, 'shape');
  const dtype = dictGet(state, 'dtype');
  if (!(shape instanceof Container) || !(dtype instanceof Obj)) {
    throw new PickleError('a joblib array wrapper without shape or dtype');
  }
  let count = 1;
  for (const n of shape.items) {
    if (typeof n !== 'number' || n < 0) {
      throw new PickleError('a joblib array wrapper with a bad shape');
    }
    count *= n;
  }
  const code =
    dtype.args instanceof Container ? dtype.args.items[0] : undefined;
  if (typeof code !== 'string') {
    throw new PickleError('a joblib array wrapper with an unknown dtype');
  }
  if (code.includes('O')) return 'object';
  const dstate = dtype.state;
  const elsize =
    dstate instanceof Container && typeof dstate.items[5] === 'number'
      ? (dstate.items[5] as number)
      : -1;
  const digits = /(\d+)/.exec(code)?.[1];
  let itemsize = digits ? Number(digits) : NaN;
  if (elsize > 0) itemsize = elsize;
  if (!Number.isFinite(itemsize) || itemsize <= 0) {
    throw new PickleError(`a joblib array of dtype '${code}'`);
  }
  return count * itemsize;
}

// What a protocol 0/1 pickle can begin with: a value, a mark, a global.
const PROTOCOL0_STARTS = new Set(
  [...'(cNIJKLMFGSTUVX]})lditg'].map(c => c.charCodeAt(0)),
);

/** The opcodes that start a pickle stream, any protocol. */
export function looksLikePickleStart(b0: number, b1?: number): boolean {
  if (b0 === 0x80) return b1 !== undefined && b1 >= 2 && b1 <= 5;
  return PROTOCOL0_STARTS.has(b0);
}

/**
 * Walks every pickle stream at the reader's position, back to back, until
 * the data stops being pickle. Resolves with what was imported even when the
 * stream is broken or over budget: whatever was read up to there would have
 * run.
 */
export async function walkPickle(reader: ByteReader): Promise<PickleWalk> {
  const globals = new Map<string, PickleGlobal>();
  const walk: PickleWalk = {
    globals: [],
    streams: 0,
    joblibArrays: 0,
    trailingBytes: false,
  };
  const record = (g: Global, call: boolean) => {
    const key = `${g.module}\u0000${g.name}`;
    let entry = globals.get(key);
    if (!entry) {
      entry = { module: g.module, name: g.name, calls: 0 };
      globals.set(key, entry);
    }
    if (call) entry.calls += 1;
  };

  async function oneStream(): Promise<void> {
    const stack: Value[] = [];
    const marks: number[] = [];
    const memo = new Map<number, Value>();

    const push = (v: Value) => {
      if (stack.length >= MAX_STACK) throw new PickleError('stack too deep');
      stack.push(v);
    };
    const pop = (): Value => {
      if (stack.length === 0 || stack.length <= (marks.at(-1) ?? -1)) {
        throw new PickleError('stack underflow');
      }
      return stack.pop();
    };
    const top = (): Value => {
      if (stack.length === 0) throw new PickleError('stack underflow');
      return stack[stack.length - 1];
    };
    const popMark = (): Value[] => {
      const m = marks.pop();
      if (m === undefined) throw new PickleError('no mark on the stack');
      return stack.splice(m);
    };
    const container = (kind: Container['kind'], items: Value[]) => {
      const c = new Container(kind);
      for (const v of items) c.add(v);
      return c;
    };
    const memoize = (key: number, v: Value) => {
      if (memo.size < MAX_MEMO || memo.has(key)) memo.set(key, v);
    };
    const call = (callable: Value, args: Value): Obj => {
      if (callable instanceof Global) record(callable, true);
      return new Obj(callable, args);
    };
    const global = (module: string, name: string) => {
      // Python can import nothing under other names: such bytes are text
      // that happens to start like a pickle, or a pickle that fails there.
      if (!IDENTIFIER_PATH.test(module) || !IDENTIFIER_PATH.test(name)) {
        throw new PickleError(`'${module}.${name}' is not an importable name`);
      }
      const g = new Global(module, name);
      record(g, false);
      return g;
    };
    const line = async () => text(await reader.readLine(), latin1);
    const bytesOf = async (n: number) => {
      await reader.skip(n);
      return new Bytes(n);
    };
    const stringOf = async (n: number) => {
      if (n > MAX_STRING_KEPT * 4) {
        await reader.skip(n);
        return '';
      }
      return text(await reader.read(n));
    };

    for (;;) {
      const op = await reader.readByte();
      switch (op) {
        case 0x80: // PROTO
          await reader.readByte();
          break;
        case 0x95: // FRAME
          await reader.skip(8);
          break;
        case 0x2e: // STOP
          return;
        case 0x28: // MARK
          marks.push(stack.length);
          break;
        case 0x30: // POP
          if (stack.length === (marks.at(-1) ?? -1)) marks.pop();
          else pop();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          push(top());
          break;
        case 0x46: // FLOAT
          push(Number(await line()));
          break;
        case 0x49: {
          // INT, also protocol 0 booleans
          const s = await line();
          if (s === '01' || s === '00') push(s === '01');
          else push(Number(s));
          break;
        }
        case 0x4c: // LONG
          push(Number((await line()).replace(/L$/, '')));
          break;
        case 0x4a: {
          // BININT
          const b = await reader.read(4);
          push(new DataView(b.buffer).getInt32(0, true));
          break;
        }
        case 0x4b: // BININT1
          push(await reader.readByte());
          break;
        case 0x4d: // BININT2
          push(le(await reader.read(2)));
          break;
        case 0x8a: // LONG1
          await reader.skip(await reader.readByte());
          push(0);
          break;
        case 0x8b: // LONG4
          await reader.skip(le(await reader.read(4)));
          push(0);
          break;
        case 0x47: // BINFLOAT
          push(new DataView((await reader.read(8)).buffer).getFloat64(0));
          break;
        case 0x4e: // NONE
          push(null);
          break;
        case 0x88: // NEWTRUE
          push(true);
          break;
        case 0x89: // NEWFALSE
          push(false);
          break;
        case 0x53: {
          // STRING: a quoted repr
          const s = await line();
          push(s.replace(/^(['"])(.*)\1$/s, '$2'));
          break;
        }
        case 0x56: // UNICODE (raw-unicode-escape)
          push(await line());
          break;
        case 0x54: // BINSTRING
        case 0x58: // BINUNICODE
          push(await stringOf(le(await reader.read(4))));
          break;
        case 0x55: // SHORT_BINSTRING
        case 0x8c: // SHORT_BINUNICODE
          push(await stringOf(await reader.readByte()));
          break;
        case 0x8d: // BINUNICODE8
          push(await stringOf(le(await reader.read(8))));
          break;
        case 0x42: // BINBYTES
          push(await bytesOf(le(await reader.read(4))));
          break;
        case 0x43: // SHORT_BINBYTES
          push(await bytesOf(await reader.readByte()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          push(await bytesOf(le(await reader.read(8))));
          break;
        case 0x97: // NEXT_BUFFER: out-of-band data the loader passes in
          push(new Bytes(0));
          break;
        case 0x98: // READONLY_BUFFER
          break;
        case 0x29: // EMPTY_TUPLE
          push(container('tuple', []));
          break;
        case 0x85: // TUPLE1
          push(container('tuple', [pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = pop();
          push(container('tuple', [pop(), b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = pop();
          const b = pop();
          push(container('tuple', [pop(), b, c]));
          break;
        }
        case 0x74: // TUPLE
          push(container('tuple', popMark()));
          break;
        case 0x5d: // EMPTY_LIST
          push(container('list', []));
          break;
        case 0x6c: // LIST
          push(container('list', popMark()));
          break;
        case 0x7d: // EMPTY_DICT
          push(container('dict', []));
          break;
        case 0x64: // DICT
          push(container('dict', popMark()));
          break;
        case 0x8f: // EMPTY_SET
          push(container('set', []));
          break;
        case 0x91: // FROZENSET
          push(container('set', popMark()));
          break;
        case 0x61: {
          // APPEND
          const v = pop();
          const list = top();
          if (list instanceof Container) list.add(v);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          const target = top();
          if (target instanceof Container) items.forEach(v => target.add(v));
          break;
        }
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          const d = top();
          if (d instanceof Container) {
            d.add(k);
            d.add(v);
          }
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = popMark();
          const d = top();
          if (d instanceof Container) items.forEach(v => d.add(v));
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = await line();
          push(global(module, await line()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            // Names computed by other means: no one can say what is imported.
            const g = new Global('?', '?');
            record(g, false);
            push(g);
          } else {
            push(global(module, name));
          }
          break;
        }
        case 0x69: {
          // INST: import and call at once
          const module = await line();
          const g = global(module, await line());
          push(call(g, container('tuple', popMark())));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = popMark();
          push(call(items[0], container('tuple', items.slice(1))));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = pop();
          push(call(pop(), args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = pop();
          push(call(pop(), args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          pop();
          const args = pop();
          push(call(pop(), args));
          break;
        }
        case 0x62: {
          // BUILD: __setstate__ or a dict update of the object below
          const state = pop();
          const obj = top();
          if (obj instanceof Obj) {
            obj.state = state;
            if (obj.cls instanceof Global) record(obj.cls, true);
          }
          if (isJoblibWrapper(obj)) await joblibArray(state);
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: {
          // EXT4: a global from copyreg's extension registry
          const width = { 0x82: 1, 0x83: 2, 0x84: 4 }[op as 0x82 | 0x83 | 0x84];
          const code = le(await reader.read(width));
          const g = new Global('copyreg.extension', String(code));
          record(g, false);
          push(g);
          break;
        }
        case 0x50: // PERSID
          await line();
          push(new Obj(undefined, undefined));
          break;
        case 0x51: // BINPERSID: the loader's persistent_load decides
          pop();
          push(new Obj(undefined, undefined));
          break;
        case 0x67: // GET
          push(memo.get(Number(await line())));
          break;
        case 0x68: // BINGET
          push(memo.get(await reader.readByte()));
          break;
        case 0x6a: // LONG_BINGET
          push(memo.get(le(await reader.read(4))));
          break;
        case 0x70: // PUT
          memoize(Number(await line()), top());
          break;
        case 0x71: // BINPUT
          memoize(await reader.readByte(), top());
          break;
        case 0x72: // LONG_BINPUT
          memoize(le(await reader.read(4)), top());
          break;
        case 0x94: // MEMOIZE
          memoize(memo.size, top());
          break;
        default:
          throw new PickleError(
            `byte 0x${op.toString(16).padStart(2, '0')} at ${
              reader.position - 1
            } is not a pickle opcode`,
          );
      }
    }
  }

  /** joblib writes the array's bytes (or a pickle of it) right after its wrapper. */
  async function joblibArray(state: Value): Promise<void> {
    const size = joblibArrayBytes(state);
    walk.joblibArrays += 1;
    if (size === 'object') {
      await oneStream();
      walk.streams += 1;
      return;
    }
    if (typeof dictGet(state, 'numpy_array_alignment_bytes') === 'number') {
      await reader.skip(await reader.readByte());
    }
    await reader.skip(size);
  }

  for (;;) {
    const known = globals.size;
    try {
      await oneStream();
      walk.streams += 1;
    } catch (e) {
      if (e instanceof OverBudgetError) {
        walk.overBudget = true;
        walk.error = e.message;
      } else if (e instanceof PickleError || e instanceof RangeError) {
        // Data after a complete stream that imports nothing is not a
        // pickle that a loader would read (legacy PyTorch storages).
        if (walk.streams > 0 && globals.size === known) {
          walk.trailingBytes = true;
        } else walk.error = e.message;
      } else {
        throw e;
      }
      break;
    }
    // Several streams may follow one another (legacy PyTorch files).
    const next = await reader.peek(2).catch(() => new Uint8Array());
    if (next.length === 0) break;
    if (!looksLikePickleStart(next[0], next[1])) {
      walk.trailingBytes = true;
      break;
    }
  }
  walk.globals = [...globals.values()];
  return walk;
}
