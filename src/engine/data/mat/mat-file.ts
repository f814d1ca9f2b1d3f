// MATLAB Level 5 MAT-files (the format of `save -v7` and scipy.io.savemat): a 128-byte header, then
// tagged data elements, each a named array (miMATRIX), possibly zlib-compressed (miCOMPRESSED).
// Only real, dense numeric arrays are read; every size is checked against the bytes actually there
// before anything is allocated, and inflating stops at a cap, so a lying file is a clear error.

import { inflateSync } from 'node:zlib';
import { formatCount } from '../../../lang/format';
import type { DataBudget } from '../budget';
import { DataError } from '../errors';

/** One numeric variable: its dimensions and its values in MATLAB's column-major order. */
export interface MatArray {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

const HEADER_BYTES = 128;
const MI_MATRIX = 14, MI_COMPRESSED = 15, MI_INT32 = 5, MI_UINT32 = 6, MI_INT8 = 1;

/** Storage types: bytes per element and how to read one. */
const STORAGE: Readonly<Record<number, { size: number; read: (v: DataView, at: number, le: boolean) => number }>> = {
  1: { size: 1, read: (v, at) => v.getInt8(at) },
  2: { size: 1, read: (v, at) => v.getUint8(at) },
  3: { size: 2, read: (v, at, le) => v.getInt16(at, le) },
  4: { size: 2, read: (v, at, le) => v.getUint16(at, le) },
  5: { size: 4, read: (v, at, le) => v.getInt32(at, le) },
  6: { size: 4, read: (v, at, le) => v.getUint32(at, le) },
  7: { size: 4, read: (v, at, le) => v.getFloat32(at, le) },
  9: { size: 8, read: (v, at, le) => v.getFloat64(at, le) },
  12: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  13: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)) },
};

const NUMERIC_CLASSES: Readonly<Record<number, string>> = {
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16',
  12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const OTHER_CLASSES: Readonly<Record<number, string>> = { 1: 'a cell array', 2: 'a struct', 3: 'an object', 4: 'a char array', 5: 'a sparse matrix' };

/** A data element: its type and its bytes (a view into the file or the inflated data). */
interface Element { readonly type: number; readonly body: DataView }

class Reader {
  private at = 0;
  constructor(readonly view: DataView, readonly le: boolean, readonly file: string, readonly where: string) {}

  get done(): boolean { return this.at >= this.view.byteLength; }

  /** The next element; `pad` skips to the 8-byte boundary after it (not done inside compressed streams' outer level). */
  next(pad = true): Element {
    const left = this.view.byteLength - this.at;
    if (left < 8) throw this.fail(`truncated: a data element tag needs 8 bytes, ${left} left`);
    const first = this.view.getUint32(this.at, this.le);
    if (first >>> 16 !== 0) {
      // Small data element: type and size share the first word, up to 4 bytes of data follow.
      const type = first & 0xffff, size = first >>> 16;
      if (size > 4) throw this.fail(`a small data element claims ${size} bytes; at most 4 fit`);
      const body = new DataView(this.view.buffer, this.view.byteOffset + this.at + 4, size);
      this.at += 8;
      return { type, body };
    }
    const size = this.view.getUint32(this.at + 4, this.le);
    if (size > left - 8) {
      throw this.fail(`truncated: a data element (type ${first}) claims ${formatCount(size)} bytes, ` +
        `only ${formatCount(left - 8)} are left in the file`);
    }
    const body = new DataView(this.view.buffer, this.view.byteOffset + this.at + 8, size);
    this.at += 8 + (pad && first !== MI_COMPRESSED ? Math.ceil(size / 8) * 8 : size);
    return { type: first, body };
  }

  fail(problem: string): DataError {
    return new DataError(this.file, `${this.where}${problem}`);
  }
}

/**
 * The numeric variables of a MAT-file, by name. Inflated data and the values are reserved against
 * `budget` before they are allocated; a compressed variable may inflate to at most what is left of
 * it, so a zlib bomb stops there.
 */
export function parseMatFile(bytes: Uint8Array, file: string, budget: DataBudget): Map<string, MatArray> {
  if (bytes.length < HEADER_BYTES) {
    throw new DataError(file, `truncated: a MAT-file starts with a 128-byte header, the file has ${bytes.length} bytes`);
  }
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (!text.startsWith('MATLAB')) throw new DataError(file, 'not a MAT-file: the header does not start with "MATLAB"');
  if (text.startsWith('MATLAB 7.3')) {
    throw new DataError(file, 'is a version 7.3 (HDF5) MAT-file, which ConvLab does not read; save it with `save(..., \'-v7\')` or scipy.io.savemat');
  }
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian !== 'IM' && endian !== 'MI') throw new DataError(file, `not a MAT-file: endian indicator is "${endian}", expected "IM" or "MI"`);
  const le = endian === 'IM';
  const view = new DataView(bytes.buffer, bytes.byteOffset + HEADER_BYTES, bytes.length - HEADER_BYTES);
  const top = new Reader(view, le, file, '');
  const arrays = new Map<string, MatArray>();
  while (!top.done) {
    let element = top.next();
    if (element.type === MI_COMPRESSED) element = inflateElement(element, le, file, budget);
    if (element.type !== MI_MATRIX) continue; // other top-level elements carry no variables
    const array = parseMatrix(element.body, le, file, budget);
    if (array) arrays.set(array.name, array);
  }
  return arrays;
}

function inflateElement(element: Element, le: boolean, file: string, budget: DataBudget): Element {
  const { body } = element;
  const cap = budget.left;
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { maxOutputLength: Math.max(1, cap) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(file, `a compressed variable inflates to more than the ${formatCount(cap)} bytes left of the data ` +
        'budget; stopped there: the file is corrupt, a zlib bomb, or needs a larger maxDataBytes');
    }
    throw new DataError(file, `a compressed variable is not valid zlib data (${err.message})`);
  }
  budget.reserve(inflated.length, file, 'a compressed variable, inflated');
  const inner = new Reader(new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength), le, file, 'inside a compressed variable: ');
  return inner.next(false);
}

/** A miMATRIX's numeric variable, or undefined for an empty one; refuses what is not real, dense and numeric. */
function parseMatrix(body: DataView, le: boolean, file: string, budget: DataBudget): MatArray | undefined {
  if (body.byteLength === 0) return undefined;
  const parts = new Reader(body, le, file, 'in a variable: ');
  const flags = parts.next();
  if (flags.type !== MI_UINT32 || flags.body.byteLength < 8) throw parts.fail('the array flags are missing or malformed');
  const word = flags.body.getUint32(0, le);
  const cls = word & 0xff, complex = (word & 0x0800) !== 0;
  const dimsElement = parts.next();
  if (dimsElement.type !== MI_INT32 || dimsElement.body.byteLength % 4 !== 0) throw parts.fail('the dimensions are missing or malformed');
  const dims: number[] = [];
  for (let i = 0; i < dimsElement.body.byteLength; i += 4) {
    const d = dimsElement.body.getInt32(i, le);
    if (d < 0) throw parts.fail(`dimension ${d} is negative`);
    dims.push(d);
  }
  const nameElement = parts.next();
  if (nameElement.type !== MI_INT8) throw parts.fail('the array name is missing');
  const name = new TextDecoder('latin1').decode(new Uint8Array(nameElement.body.buffer, nameElement.body.byteOffset, nameElement.body.byteLength));
  const where = `variable '${name}'`;
  const className = NUMERIC_CLASSES[cls];
  if (!className) {
    const what = OTHER_CLASSES[cls] ?? `of unknown class ${cls}`;
    const fix = cls === 5 ? '; store it dense (full(Z) in MATLAB, .toarray() in scipy)' : '';
    throw new DataError(file, `${where} is ${what}; ConvLab reads only real, dense numeric arrays${fix}`);
  }
  if (complex) throw new DataError(file, `${where} is complex; ConvLab reads only real, dense numeric arrays`);
  const real = parts.next();
  const storage = STORAGE[real.type];
  if (!storage) throw new DataError(file, `${where} stores its values with unknown data type ${real.type}`);
  const count = dims.reduce((p, d) => p * d, 1);
  const expected = count * storage.size;
  if (real.body.byteLength !== expected) {
    throw new DataError(file, `${where} is ${dims.map(formatCount).join('×')} (${formatCount(count)} values, ` +
      `${formatCount(expected)} bytes as stored) but holds ${formatCount(real.body.byteLength)} bytes of data`);
  }
  budget.reserve(count * 8, file, `${where} as float64`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = storage.read(real.body, i * storage.size, le);
  return { name, dims, data };
}
