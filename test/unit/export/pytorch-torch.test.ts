// The exported PyTorch folder run by a real PyTorch: model.py with the exported weights gives the
// engine's outputs, and train.py trains (loss falls) on one process and under torchrun with two
// gloo processes on the CPU. Needs a Python with torch (`python3`, else /usr/bin/python3; Debian's
// python3-torch, which scripts/ensure-system-deps.sh installs); without one the tests are skipped.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type DataSpec } from '../../../src/lang';
import { CpuBackend, Network, Rng } from '../../../src/engine';
import { parseArgs } from '../../../src/cli/args';
import { exportCommand } from '../../../src/cli/export';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/engine/checkpoint-file';
import { loadDataset } from '../../../src/engine/node';
import { idxBytes } from '../../../src/export/pytorch/idx-files';
import { checkpointOf } from './pytorch-fixtures';

const LENET = readFileSync(join(__dirname, '../../../../examples/lenet5.cnn'), 'utf8');
/** Batch norm (2-D and 1-D, evaluation mode), stride, padding, avgpool, tanh, sigmoid, dropout. */
const MIXED = `input 3x12x12
conv 4 kernel=3 stride=2 pad=1
batchnorm momentum=0.2 epsilon=0.001
tanh
avgpool 2 stride=1
conv 6 kernel=2 pad=1x0
sigmoid
maxpool 2
flatten
dropout 0.3
dense 8
batchnorm
relu
dense 3
softmax
train data=idx:data
`;
/** globalavgpool and the squared loss (the output is the last layer's values, no softmax). */
const MSE = 'input 2x6x6\nconv 3 kernel=3 bias=false\nrelu\nglobalavgpool\ndense 4\nloss mse\ntrain data=idx:data\n';

const PYTHONS = ['python3', '/usr/bin/python3'];

function torchPython(): string | null {
  for (const python of PYTHONS) {
    if (spawnSync(python, ['-c', 'import torch'], { timeout: 60_000 }).status === 0) return python;
  }
  return null;
}

/** Runs the CLI's export command in `cwd`. */
async function exportModel(argv: string[], cwd: string): Promise<void> {
  let stderr = '';
  const code = await exportCommand.run(parseArgs(argv, exportCommand), { stdout: () => undefined, stderr: (t) => { stderr += t; }, cwd });
  assert.equal(code, 0, stderr);
}

const OUTPUTS_PY = `
import struct, sys
import torch
folder, inputs, n, outputs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, folder)
from model import INPUT_SHAPE, Model, load_convlab_weights
model = Model()
load_convlab_weights(model, folder + "/weights.safetensors")
model.eval()
x = torch.frombuffer(bytearray(open(inputs, "rb").read()), dtype=torch.float32).reshape(n, *INPUT_SHAPE)
with torch.no_grad():
    y = model(x)
open(outputs, "wb").write(struct.pack(f"<{y.numel()}f", *y.flatten().tolist()))
print(sum(p.numel() for p in model.parameters()))
`;

/** `epoch 2/4  loss 0.1234  train 95.00%  test 96.00%  [validation 90.00%  ]0.1 s  812 img/s`, as `convlab train` prints it. */
const EPOCH_LINE = /^epoch (\d+)\/(\d+) {2}loss (\d+\.\d{4}) {2}train \d+\.\d\d% {2}test \d+\.\d\d%(?: {2}validation \d+\.\d\d%)? {2}\d+\.\d s {2}\d+ img\/s$/;

function epochLosses(stdout: string): { epoch: number; loss: number }[] {
  // torchrun --tee prefixes each process's lines with [default<rank>]:
  return stdout.split('\n').map((l) => EPOCH_LINE.exec(l.replace(/^\[default\d+\]:/, ''))).filter((m) => m !== null).map((m) => ({ epoch: Number(m[1]), loss: Number(m[3]) }));
}

describe('export to PyTorch, run by PyTorch', function () {
  this.timeout(120_000);
  let python = '';
  let dir = '';
  before(function () {
    const found = torchPython();
    if (!found) {
      console.log(`    skipped: no Python with torch (tried ${PYTHONS.join(', ')}); install Debian's python3-torch to run these tests`);
      this.skip();
    }
    python = found!;
    dir = mkdtempSync(join(tmpdir(), 'convlab-torch-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const env = { ...process.env, CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const py = (args: string[], cwd: string, timeout = 90_000) => {
    const r = spawnSync(python, args, { cwd, env, encoding: 'utf8', timeout });
    assert.equal(r.status, 0, `${python} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  for (const [name, text] of [['LeNet-5', LENET], ['batchnorm, avgpool, stride, padding, dropout, sigmoid, tanh', MIXED], ['globalavgpool with mse', MSE]] as const) {
    it(`model.py with the exported weights gives the engine's outputs: ${name}`, async () => {
      const folder = join(dir, name.replace(/\W+/g, '-'));
      mkdirSync(folder);
      writeFileSync(join(folder, 'model.cnn'), text);
      const checkpoint = await checkpointOf(text);
      await writeCheckpointFile(join(folder, 'model.ckpt'), checkpoint);
      await exportModel(['model.cnn', '--to', 'pytorch', '--weights', 'model.ckpt', '--out', 'out'], folder);

      const spec = analyze(text).spec;
      const [c, h, w] = spec.input!, n = 5, size = c * h * w;
      const rng = new Rng(11);
      const batch = Float32Array.from({ length: n * size }, () => rng.next());  // N × C × H × W
      const backend = new CpuBackend();
      const network = new Network(backend, spec, { maxBatch: n });
      network.writeState(new Map([...checkpoint.tensors].map(([k, t]) => [k, t.data])));
      const engineLayout = new Float32Array(n * size);  // C × (N·H·W)
      for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) {
        engineLayout.set(batch.subarray((b * c + ch) * h * w, (b * c + ch + 1) * h * w), (ch * n + b) * h * w);
      }
      backend.write(network.input, engineLayout);
      const expected = await backend.read(network.predict({ n, training: false, seed: 0 }));  // classes × N

      writeFileSync(join(folder, 'inputs.bin'), batch);
      writeFileSync(join(folder, 'outputs.py'), OUTPUTS_PY);
      const r = py(['outputs.py', join(folder, 'out'), 'inputs.bin', String(n), 'outputs.bin'], folder);
      assert.equal(Number(r.stdout.trim()), network.parameterCount);
      const got = new Float32Array(Uint8Array.from(readFileSync(join(folder, 'outputs.bin'))).buffer);
      const classes = network.classes;
      assert.equal(got.length, n * classes);
      let worst = 0;
      for (let b = 0; b < n; b++) for (let f = 0; f < classes; f++) worst = Math.max(worst, Math.abs(got[b * classes + f] - expected[f * n + b]));
      console.log(`      max |torch − engine| = ${worst.toExponential(2)} over ${n}×${classes} outputs`);
      assert.ok(worst <= 1e-4, `max abs error ${worst}`);
      network.dispose();
    });
  }

  /** Python that loads DATA as train.py does and prints what it got: counts, labels, pixel sums (×255 for bytes). */
  const SUMMARY_PY = `
import json, sys
sys.path.insert(0, sys.argv[1])
import train
(x, y), (tx, ty) = train.load_data(train.DATA, 1)
print(json.dumps({"shape": list(x.shape[1:]), "train": len(y), "test": len(ty), "labels": y[:50].tolist(),
                  "pixels": round(float((x * 255).double().sum())), "testPixels": round(float((tx * 255).double().sum()))}))
`;

  it("train.py's loaders read the exported built-in MNIST (gzip IDX) and CIFAR-10 batches as ConvLab does", async () => {
    const folder = join(dir, 'loaders');
    mkdirSync(folder);
    writeFileSync(join(folder, 'summary.py'), SUMMARY_PY);
    const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);
    const check = async (out: string, data: DataSpec) => {
      const expected = await loadDataset(data);
      const got = JSON.parse(py(['summary.py', join(folder, out)], folder).stdout) as Record<string, unknown>;
      assert.deepEqual(got, {
        shape: [...expected.shape], train: expected.train.count, test: expected.test.count, labels: [...expected.train.labels.subarray(0, 50)],
        pixels: sum(expected.train.images), testPixels: sum(expected.test.images),
      });
    };
    writeFileSync(join(folder, 'mnist.cnn'), 'input 1x28x28\nflatten\ndense 10\ntrain data=mnist\n');
    await exportModel(['mnist.cnn', '--to', 'pytorch', '--out', 'mnist'], folder);
    await check('mnist', { kind: 'mnist' });

    const rng = new Rng(3), cifar = join(folder, 'cifar', 'cifar-10-batches-bin');
    mkdirSync(cifar, { recursive: true });
    for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      const records = Uint8Array.from({ length: 3 * 3073 }, (_, i) => (i % 3073 === 0 ? Math.floor(rng.next() * 10) : Math.floor(rng.next() * 256)));
      writeFileSync(join(cifar, `${name}.bin`), records);
    }
    writeFileSync(join(folder, 'cifar.cnn'), 'input 3x32x32\nglobalavgpool\ndense 10\ntrain data=cifar10:cifar\n');
    await exportModel(['cifar.cnn', '--to', 'pytorch', '--out', 'cifar-out'], folder);
    await check('cifar-out', { kind: 'cifar10', dir: join(folder, 'cifar') });
  });

  /** 1×8×8 images whose class is the bright half (left or right), with noise, as IDX files. */
  function writeHalvesIdx(folder: string, train: number, test: number): void {
    const rng = new Rng(5);
    const images = (count: number, labels: Uint8Array) => {
      const pixels = new Uint8Array(count * 64);
      for (let i = 0; i < count; i++) {
        labels[i] = i % 2;
        for (let p = 0; p < 64; p++) {
          const bright = (p % 8 < 4) === (labels[i] === 0);
          pixels[i * 64 + p] = Math.min(255, Math.floor((bright ? 150 : 40) + 100 * rng.next()));
        }
      }
      return pixels;
    };
    mkdirSync(folder, { recursive: true });
    for (const [stem, count] of [['train', train], ['t10k', test]] as const) {
      const labels = new Uint8Array(count);
      writeFileSync(join(folder, `${stem}-images-idx3-ubyte`), idxBytes([count, 8, 8], images(count, labels)));
      writeFileSync(join(folder, `${stem}-labels-idx1-ubyte`), idxBytes([count], labels));
    }
  }

  it('train.py trains on IDX data in one process, from the exported weights on, and its loss falls', async () => {
    const folder = join(dir, 'single');
    writeHalvesIdx(join(folder, 'data'), 96, 32);
    const text = 'input 1x8x8\nconv 4 kernel=3\nrelu\nflatten\ndense 2\nsoftmax\n' +
      'train data=idx:data epochs=5 batch=8 optimizer=sgd lr=0.02 momentum=0.9 decay=0.01 validation=0.25 seed=2\n';
    writeFileSync(join(folder, 'halves.cnn'), text);
    await writeCheckpointFile(join(folder, 'halves.ckpt'), await checkpointOf(text));  // epoch 1, step 40
    await exportModel(['halves.cnn', '--to', 'pytorch', '--weights', 'halves.ckpt'], folder);
    const r = py(['train.py'], join(folder, 'halves-pytorch'));
    console.log(r.stdout.replace(/^/gm, '      '));
    assert.match(r.stderr, /starting from .*weights\.safetensors \(ConvLab epoch 1, step 40; fresh optimizer state\)/);
    const epochs = epochLosses(r.stdout);
    assert.deepEqual(epochs.map((e) => e.epoch), [2, 3, 4, 5]);
    assert.match(r.stdout, /epoch 2\/5 .* validation \d+\.\d\d% /);
    assert.ok(epochs[3].loss < epochs[0].loss, `loss did not fall: ${epochs.map((e) => e.loss).join(', ')}`);
    // The way back: a ConvLab checkpoint of the trained weights, which fits the model.
    const back = await readCheckpointFile(join(folder, 'halves-pytorch', 'trained.ckpt.safetensors'));
    assert.deepEqual([back.metadata.epoch, back.metadata.step, back.metadata.modelText], [5, 40 + 4 * 9, text]);  // 72 of 96 train, batch 8
    assert.deepEqual([...back.tensors.keys()], ['layers.0.weight', 'layers.0.bias', 'layers.3.weight', 'layers.3.bias']);
    await exportModel(['halves.cnn', '--to', 'pytorch', '--weights', 'halves-pytorch/trained.ckpt.safetensors', '--out', 'again'], folder);
  });

  it('train.py trains on LIBSVM data under torchrun with 2 gloo processes, checkpoints, and resumes', async function () {
    this.timeout(300_000);
    const folder = join(dir, 'torchrun');
    mkdirSync(folder);
    const rng = new Rng(9);
    const lines = Array.from({ length: 120 }, (_, i) => {
      const label = (i % 3) + 1;  // written 1..3, classes 0..2
      return `${label} ${[1, 2, 3, 4, 5, 6].map((f) => `${f}:${((f === label ? 1 : 0) + 0.3 * rng.next()).toFixed(3)}`).join(' ')}`;
    });
    writeFileSync(join(folder, 'three.txt'), `${lines.join('\n')}\n`);
    writeFileSync(join(folder, 'three.cnn'), 'input 1x1x6\nflatten\ndense 8\nrelu\ndense 3\nsoftmax\n' +
      'train data=libsvm:three.txt epochs=4 batch=8 optimizer=adam lr=0.01 seed=4\n');
    await exportModel(['three.cnn', '--to', 'pytorch', '--out', 'out'], folder);
    // --redirects 1 --tee 1: Debian's torch 1.13 under Python 3.11 cannot parse the default "0" (its Std flag enum
    // iterates without NONE); with them stdout still reaches the console, each line prefixed with its rank.
    const torchrun = ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', 'train.py'];
    const first = py(torchrun, join(folder, 'out'), 240_000);
    console.log(first.stdout.replace(/^/gm, '      '));
    assert.match(first.stdout, /on 2 processes \(gloo\)/);
    const epochs = epochLosses(first.stdout);
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3, 4], 'one line per epoch, from rank 0 only');
    assert.ok(epochs[3].loss < epochs[0].loss, `loss did not fall: ${epochs.map((e) => e.loss).join(', ')}`);
    const resumed = py([...torchrun, '--resume', 'checkpoint.pt', '--epochs', '5'], join(folder, 'out'), 240_000);
    assert.match(resumed.stderr, /resuming from checkpoint\.pt at epoch 4, step 24/);
    assert.deepEqual(epochLosses(resumed.stdout).map((e) => e.epoch), [5]);
  });
});
