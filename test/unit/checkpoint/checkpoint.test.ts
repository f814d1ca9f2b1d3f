import * as assert from 'node:assert/strict';
import { CHECKPOINT_FORMAT, CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../../src/engine/checkpoint';
import { rawSafetensors, sampleCheckpoint, validMetadata } from './fixtures';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('checkpoint: encoding', () => {
  it('round-trips tensors bit for bit, in order, and every metadata field', () => {
    const c = sampleCheckpoint();
    const back = decodeCheckpoint(encodeCheckpoint(c), 'x');
    assert.deepEqual([...back.tensors.keys()], [...c.tensors.keys()]);
    for (const [name, t] of c.tensors) {
      const u = back.tensors.get(name)!;
      assert.deepEqual(u.shape, t.shape, name);
      assert.deepEqual(bytesOf(u.data), bytesOf(t.data), name);
    }
    assert.ok(Object.is(back.tensors.get('layers.0.bias')!.data[0], -0));
    assert.deepEqual(back.metadata, c.metadata);
  });

  it('writes the safetensors layout: u64 LE header length, space-padded JSON, little-endian data', () => {
    const bytes = encodeCheckpoint(sampleCheckpoint());
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = view.getUint32(0, true);
    assert.equal(view.getUint32(4, true), 0);
    assert.equal(n % 8, 0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.match(text, /^\{.*\} *$/s);
    const header = JSON.parse(text);
    assert.equal(header.__metadata__.format, CHECKPOINT_FORMAT);
    assert.equal(header.__metadata__.seed, '42');
    assert.equal(header.__metadata__.model, sampleCheckpoint().metadata.modelText);
    assert.deepEqual(header['layers.3.weight'], { dtype: 'F32', shape: [10, 5], data_offsets: [160, 360] });
    // layers.3.weight[1] = −24e−3, read straight from the file as a little-endian float.
    assert.equal(view.getFloat32(8 + n + 160 + 4, true), Math.fround(-24e-3));
    assert.equal(bytes.length, 8 + n + 4 * (36 + 4 + 50 + 10 + 36 + 1));
  });

  it('gives the same bytes for the same checkpoint', () => {
    assert.deepEqual(encodeCheckpoint(sampleCheckpoint()), encodeCheckpoint(sampleCheckpoint()));
  });

  it('refuses to encode tensors whose data does not match their shape, or bad metadata', () => {
    const c = sampleCheckpoint();
    const tensors = new Map(c.tensors).set('layers.9.weight', { shape: [2, 3], data: new Float32Array(5) });
    assert.throws(() => encodeCheckpoint({ ...c, tensors }),
      (e: unknown) => e instanceof CheckpointError && /tensor layers\.9\.weight has shape \[2, 3\] \(6 values\) but 5 values/.test(e.message));
    assert.throws(() => encodeCheckpoint({ ...c, metadata: { ...c.metadata, step: 1.5 } }), /metadata step must be a whole number/);
    assert.throws(() => encodeCheckpoint({ ...c, metadata: { ...c.metadata, optimizer: { ...c.metadata.optimizer, lr: NaN } } }),
      /optimizer setting lr must be a finite number/);
  });

  it('accepts an unpadded header and metadata-only files (as other writers make them)', () => {
    const c = decodeCheckpoint(rawSafetensors(JSON.stringify({ __metadata__: validMetadata })), 'x');
    assert.equal(c.tensors.size, 0);
    assert.equal(c.metadata.optimizer.kind, 'adam');
    assert.equal(c.metadata.optimizer.beta2, 0.999);
    assert.deepEqual(c.metadata.data, { kind: 'mnist' });
  });
});

describe('checkpoint: corrupted files are rejected with a clear message', () => {
  const meta = JSON.stringify(validMetadata);
  const f32 = (n: number) => new Uint8Array(4 * n);
  const withTensors = (tensors: string, data: Uint8Array) => rawSafetensors(`{"__metadata__":${meta},${tensors}}`, data);
  const withLength = (low: number, high: number) => {
    const b = rawSafetensors('{}');
    new DataView(b.buffer).setUint32(0, low, true);
    new DataView(b.buffer).setUint32(4, high, true);
    return b;
  };
  const cases: [string, Uint8Array, string][] = [
    ['too short', new Uint8Array(5), 'truncated: expected at least 8 bytes (the header length), got 5'],
    ['a header length beyond 100 MB', withLength(0, 1), 'header length 4294967296 is out of bounds (2 to 100000000 bytes); not a safetensors file?'],
    ['a header length of zero', withLength(0, 0), 'header length 0 is out of bounds'],
    ['a header length beyond the file', withLength(50, 0), 'truncated: the header length says 50 bytes, but only 2 follow'],
    ['a file cut short', encodeCheckpoint(sampleCheckpoint()).subarray(0, 100), 'truncated: the header length says '],
    ['a header that is not JSON', rawSafetensors('{"a": '), 'the header is not valid JSON'],
    ['a header that is not an object', rawSafetensors('[1, 2]'), 'the header does not start with "{": not a safetensors file?'],
    ['invalid UTF-8', rawSafetensors('{"\u00e9"}').map((b, i) => (i === 10 ? 0xff : b)), 'the header is not valid UTF-8'],
    ['no metadata', rawSafetensors('{}'), 'not a ConvLab checkpoint: the header has no __metadata__ (expected format "convlab-checkpoint/1")'],
    ['another format', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, format: 'convlab-checkpoint/2' } })),
      'unsupported format "convlab-checkpoint/2": this version of ConvLab reads "convlab-checkpoint/1"'],
    ['metadata that is not strings', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, seed: 1 } })),
      '__metadata__.seed is not a string (safetensors metadata maps strings to strings)'],
    ['a bad epoch', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, epoch: '-1' } })),
      '__metadata__.epoch is "-1", expected a whole number'],
    ['a bad optimizer', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, optimizer: '{"kind":"rmsprop"}' } })),
      '__metadata__.optimizer.kind is "rmsprop", expected one of sgd, adam, newton'],
    ['a bad data spec', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, data: '{"kind":"idx"}' } })),
      '__metadata__.data is {"kind":"idx"}, not a data spec (mnist, idx, cifar10, libsvm or mat)'],
    ['a missing field', rawSafetensors(JSON.stringify({ __metadata__: { ...validMetadata, backend: undefined } })),
      '__metadata__ has no backend'],
    ['another dtype', withTensors('"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}', f32(1)),
      'tensor w has dtype "F16"; ConvLab checkpoints hold F32 only'],
    ['a negative dimension', withTensors('"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}', f32(2)),
      'tensor w has an invalid shape [-2] (expected an array of whole numbers)'],
    ['offsets past the data', withTensors('"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}', f32(2)),
      'tensor w has data_offsets [0, 12] outside the 8 data bytes'],
    ['reversed offsets', withTensors('"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}', f32(2)),
      'tensor w has data_offsets [8, 4] outside the 8 data bytes'],
    ['a size that does not match the shape', withTensors('"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}', f32(2)),
      'tensor w has shape [2, 2], which needs 16 bytes, but data_offsets [0, 8] span 8'],
    ['overlapping tensors', withTensors('"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}', f32(3)),
      'tensor b (bytes 4–12) overlaps the tensor before it, which ends at 8'],
    ['a gap between tensors', withTensors('"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}', f32(3)),
      '4 unused bytes before tensor b (at 4–8); tensors must be contiguous'],
    ['bytes after the last tensor', withTensors('"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}', f32(2)),
      '4 bytes after the last tensor (data is 8 bytes, tensors cover 4)'],
  ];
  for (const [what, bytes, problem] of cases) {
    it(what, () => {
      assert.throws(() => decodeCheckpoint(bytes, 'model.ckpt'), (e: unknown) => {
        assert.ok(e instanceof CheckpointError, String(e));
        assert.ok(e.message.startsWith(`model.ckpt: ${problem}`), e.message);
        return true;
      });
    });
  }
});
