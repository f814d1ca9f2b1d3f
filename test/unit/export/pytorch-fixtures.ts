// Checkpoints of real models for the PyTorch export tests: the engine's own initial weights, with
// batch-norm scales, shifts and running statistics moved off their 1/0 starting values (so a
// mapping mistake in them shows), and optionally SGD momentum slots.

import { analyze } from '../../../src/lang';
import { CpuBackend, Network, Rng, type Checkpoint, type CheckpointTensor } from '../../../src/engine';

export async function checkpointOf(text: string, options: { optimizerState?: boolean } = {}): Promise<Checkpoint> {
  const spec = analyze(text).spec;
  const network = new Network(new CpuBackend(), spec, { maxBatch: 1 });
  try {
    const rng = new Rng(7);
    const state = await network.readState();
    for (const [name, data] of state) {
      const [, index, kind] = name.split('.');
      if (spec.layers[Number(index)].kind !== 'batchnorm') continue;
      for (let i = 0; i < data.length; i++) data[i] = kind === 'running_var' ? 0.5 + rng.next() : (kind === 'weight' ? 1 : 0) + 0.5 * rng.normal();
    }
    const shapes = new Map<string, readonly number[]>([
      ...network.parameters.map((p) => [p.name, p.shape] as const), ...network.buffers.map((b) => [b.name, [b.length]] as const)]);
    const tensors = new Map<string, CheckpointTensor>([...state].map(([name, data]) => [name, { shape: shapes.get(name)!, data }]));
    if (options.optimizerState) {
      for (const p of network.parameters) tensors.set(`optim.${p.name}.momentum`, { shape: p.shape, data: new Float32Array(p.length).fill(0.01) });
    }
    return {
      tensors,
      metadata: {
        modelText: text, seed: spec.train.seed, epoch: 1, step: 40, backend: 'cpu', created: '2026-01-01T00:00:00.000Z', data: spec.train.data,
        optimizer: { kind: 'sgd', lr: spec.train.lr, momentum: spec.train.momentum, decay: spec.train.decay, weightDecay: spec.train.weightDecay },
      },
    };
  } finally {
    network.dispose();
  }
}
