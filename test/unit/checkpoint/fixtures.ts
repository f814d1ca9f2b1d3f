// A small, realistic checkpoint and a raw safetensors builder for corrupting files on purpose.

import type { Checkpoint, CheckpointTensor } from '../../../src/engine/checkpoint';

export function sampleCheckpoint(epoch = 2): Checkpoint {
  const tensors = new Map<string, CheckpointTensor>([
    ['layers.0.weight', { shape: [4, 1, 3, 3], data: Float32Array.from({ length: 36 }, (_, i) => Math.sin(i) / 3) }],
    // Special values must survive bit for bit.
    ['layers.0.bias', { shape: [4], data: Float32Array.of(-0, 1.4e-45, -Infinity, 3.4028234663852886e38) }],
    ['layers.3.weight', { shape: [10, 5], data: Float32Array.from({ length: 50 }, (_, i) => (i - 25) * 1e-3) }],
    ['layers.3.bias', { shape: [10], data: new Float32Array(10).fill(epoch) }],
    ['optim.layers.0.weight.momentum', { shape: [4, 1, 3, 3], data: Float32Array.from({ length: 36 }, (_, i) => i * 1e-5) }],
    ['layers.5.scalar', { shape: [], data: Float32Array.of(1.5) }],
    ['layers.6.empty', { shape: [0, 3], data: new Float32Array(0) }],
  ]);
  return {
    tensors,
    metadata: {
      modelText: 'input 1x6x6\nconv 4 3x3\nrelu\nflatten\ndense 10   # “unicode” ✓\n',
      seed: 42, epoch, step: 375 * epoch,
      optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, decay: 1e-4, weightDecay: 5e-4 },
      backend: 'cpu', created: '2025-01-02T03:04:05.678Z',
      data: { kind: 'libsvm', train: '/data/a9a', test: '/data/a9a.t' },
    },
  };
}

/** Bytes of a safetensors file with exactly this header text (unpadded) and data. */
export function rawSafetensors(headerText: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The valid metadata of sampleCheckpoint as safetensors stores it (all strings). */
export const validMetadata: Record<string, string> = {
  format: 'convlab-checkpoint/1', model: 'input 1x2x2', seed: '1', epoch: '0', step: '0',
  optimizer: '{"kind":"adam","lr":0.001,"momentum":0,"decay":0,"weightDecay":0,"beta1":0.9,"beta2":0.999,"epsilon":1e-8}',
  backend: 'webgpu', created: '2025-01-01T00:00:00Z', data: '{"kind":"mnist"}',
};
