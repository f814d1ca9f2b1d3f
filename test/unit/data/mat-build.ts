// MAT-files for the reader's tests: where scipy's fixtures are, and hand-built v5 files put together
// byte by byte, so each test can make exactly the flaw it checks (a lying size, a sparse class, …).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';

/** test/fixtures/mat, found upward from this bundle (out/test/unit/data/…). */
export function matFixtures(): string {
  for (let dir = resolve(__dirname); dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fixtures', 'mat');
    if (existsSync(join(candidate, 'make.py'))) return candidate;
  }
  throw new Error('test/fixtures/mat not found');
}

/** A data element: 8-byte tag and its bytes, padded to 8. */
export function element(type: number, body: Uint8Array, declared = body.length): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(body.length / 8) * 8);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, declared, true);
  out.set(body, 8);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

/** A miMATRIX of class `cls` (6 = double, 5 = sparse, 1 = cell, …) with the real part stored as `storage`. */
export function matrix(name: string, dims: number[], cls: number, storage: number, data: Uint8Array, flags = 0): Uint8Array {
  const f = new Uint8Array(8); new DataView(f.buffer).setUint32(0, cls | flags, true);
  const d = new Uint8Array(4 * dims.length); dims.forEach((x, i) => new DataView(d.buffer).setInt32(4 * i, x, true));
  return element(14, concat(element(6, f), element(5, d), element(1, new TextEncoder().encode(name)), element(storage, data)));
}

/** A whole little-endian v5 file holding `elements`. */
export function matFile(...elements: Uint8Array[]): Uint8Array {
  const header = new Uint8Array(128).fill(32);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, hand-built for tests'));
  header.set([0, 1, 0x49, 0x4d], 124); // version 0x0100, 'IM'
  return concat(header, ...elements);
}

/** An miCOMPRESSED element holding `inner` deflated. */
export function compressed(inner: Uint8Array): Uint8Array {
  const z = deflateSync(inner);
  const out = new Uint8Array(8 + z.length);
  new DataView(out.buffer).setUint32(0, 15, true);
  new DataView(out.buffer).setUint32(4, z.length, true);
  out.set(z, 8);
  return out;
}

export const f64 = (...xs: number[]) => new Uint8Array(new Float64Array(xs).buffer);
