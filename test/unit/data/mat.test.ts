import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataBudget } from '../../../src/engine/data/budget';
import { parseMatFile as parseWithBudget, type MatArray } from '../../../src/engine/data/mat/mat-file';
import { compressed, element, f64, matFile, matFixtures, matrix } from './mat-build';
import { errorOf } from './fixtures';

const CAP = 1 << 20;

/** Parses with a fresh data budget of `limit` bytes. */
const parseMatFile = (bytes: Uint8Array, name: string, limit: number) => parseWithBudget(bytes, name, new DataBudget(limit));

function readFixture(name: string): { vars: Map<string, MatArray>; expected: Record<string, { dims: number[]; values: number[] }> } {
  const dir = matFixtures();
  return {
    vars: parseMatFile(readFileSync(join(dir, `${name}.mat`)), name, CAP),
    expected: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')),
  };
}

describe('data: MAT-file reader', () => {
  for (const name of ['plain', 'compressed', 'classes', 'simplenn', 'simplenn.t']) {
    it(`reads scipy's ${name}.mat exactly as the generator wrote it`, () => {
      const { vars, expected } = readFixture(name);
      assert.deepEqual([...vars.keys()].sort(), Object.keys(expected).sort());
      for (const [key, want] of Object.entries(expected)) {
        assert.deepEqual(vars.get(key)!.dims, want.dims, key);
        assert.deepEqual([...vars.get(key)!.data], want.values, key);
      }
    });
  }

  it('reads doubles stored narrower (as MATLAB stores small integers: uint8), and small data elements', () => {
    const file = matFile(matrix('y', [3, 1], 6, 2, new Uint8Array([1, 2, 250])), matrix('s', [1, 1], 6, 9, f64(2.5)));
    const vars = parseMatFile(file, 'n.mat', CAP);
    assert.deepEqual([...vars.get('y')!.data], [1, 2, 250]);
    assert.deepEqual([...vars.get('s')!.data], [2.5]);
  });

  it('reads big-endian files', () => {
    // Variable 'a' = [1 2] as double, big-endian ('MI'), name as a small data element.
    const header = new Uint8Array(128).fill(32);
    header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file'));
    header.set([1, 0, 0x4d, 0x49], 124);
    const body = new Uint8Array(8 * 2 + 8 + 8 + 8 + 16 + 8);
    const v = new DataView(body.buffer);
    let at = 0;
    const tag = (type: number, n: number) => { v.setUint32(at, type); v.setUint32(at + 4, n); at += 8; };
    tag(6, 8); v.setUint32(at, 6); at += 8;
    tag(5, 8); v.setInt32(at, 1); v.setInt32(at + 4, 2); at += 8;
    v.setUint32(at, (1 << 16) | 1); body[at + 4] = 0x61; at += 8; // small element: 1 byte of miINT8
    tag(9, 16); v.setFloat64(at, 1); v.setFloat64(at + 8, 2);
    const el = new Uint8Array(8 + body.length);
    new DataView(el.buffer).setUint32(0, 14); new DataView(el.buffer).setUint32(4, body.length);
    el.set(body, 8);
    const all = new Uint8Array(128 + el.length); all.set(header); all.set(el, 128);
    const a = parseMatFile(all, 'be.mat', CAP).get('a')!;
    assert.deepEqual(a.dims, [1, 2]);
    assert.deepEqual([...a.data], [1, 2]);
  });

  it('refuses truncated files and lying sizes, naming the file', async () => {
    assert.match(await errorOf(() => parseMatFile(new Uint8Array(50), 't.mat', CAP)),
      /^t\.mat: truncated: a MAT-file starts with a 128-byte header, the file has 50 bytes$/);
    const good = matFile(matrix('A', [2, 2], 6, 9, f64(1, 2, 3, 4)));
    assert.match(await errorOf(() => parseMatFile(good.subarray(0, good.length - 8), 't.mat', CAP)),
      /^t\.mat: truncated: a data element \(type 14\) claims 88 bytes, only 80 are left in the file$/);
    const lying = matFile(matrix('A', [1000, 1000], 6, 9, f64(1, 2)));
    assert.equal(await errorOf(() => parseMatFile(lying, 'l.mat', CAP)),
      "l.mat: variable 'A' is 1,000×1,000 (1,000,000 values, 8,000,000 bytes as stored) but holds 16 bytes of data");
    assert.match(await errorOf(() => parseMatFile(matFile(element(14, new Uint8Array(8), 1e9)), 'x.mat', CAP)),
      /^x\.mat: truncated: a data element \(type 14\) claims 1,000,000,000 bytes, only 8 are left/);
  });

  it('stops inflating a zlib bomb at the cap', async () => {
    const bomb = matFile(compressed(matrix('Z', [1, 1 << 17], 6, 9, new Uint8Array(8 << 17))));
    assert.equal(await errorOf(() => parseMatFile(bomb, 'bomb.mat', 4096)),
      'bomb.mat: a compressed variable inflates to more than the 4,096 bytes left of the data budget; stopped there: ' +
      'the file is corrupt, a zlib bomb, or needs a larger maxDataBytes');
    assert.equal(parseMatFile(bomb, 'bomb.mat', 4 * CAP).get('Z')!.data.length, 1 << 17);
  });

  it('refuses sparse, cell, complex and v7.3 files with the variable named', async () => {
    assert.equal(await errorOf(() => parseMatFile(matFile(matrix('Z', [2, 2], 5, 9, f64(1))), 's.mat', CAP)),
      "s.mat: variable 'Z' is a sparse matrix; ConvLab reads only real, dense numeric arrays; store it dense (full(Z) in MATLAB, .toarray() in scipy)");
    assert.equal(await errorOf(() => parseMatFile(matFile(matrix('c', [1, 1], 1, 9, f64(1))), 'c.mat', CAP)),
      "c.mat: variable 'c' is a cell array; ConvLab reads only real, dense numeric arrays");
    assert.equal(await errorOf(() => parseMatFile(matFile(matrix('z', [1, 1], 6, 9, f64(1), 0x0800)), 'z.mat', CAP)),
      "z.mat: variable 'z' is complex; ConvLab reads only real, dense numeric arrays");
    const v73 = matFile(); v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'));
    assert.match(await errorOf(() => parseMatFile(v73, 'h.mat', CAP)), /^h\.mat: is a version 7\.3 \(HDF5\) MAT-file/);
  });
});
