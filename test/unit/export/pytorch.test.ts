// `convlab export --to pytorch` without Python: the generated model.py and train.py say what the
// model says (modules, tensor names, initialisation rule, settings), what cannot be exported is
// refused by line, and the CLI writes the folder, the weights and refuses checkpoints that do not fit.

import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../../../src/lang';
import { parseArgs } from '../../../src/cli/args';
import { exportCommand } from '../../../src/cli/export';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/engine/checkpoint-file';
import { CpuBackend, Network } from '../../../src/engine';
import { ExportError, exportPytorch } from '../../../src/export/pytorch/index';
import { idxBytes } from '../../../src/export/pytorch/idx-files';
import { checkpointOf } from './pytorch-fixtures';

const LENET = readFileSync(join(__dirname, '../../../../examples/lenet5.cnn'), 'utf8');

function generate(text: string) {
  return exportPytorch(analyze(text), text, { modelName: 'm.cnn', weights: false });
}

/** model.py's module lines: `nn.Conv2d(...),  #  0  conv 6 …`. */
function moduleLines(text: string): string[] {
  return generate(text).files.get('model.py')!.split('\n').filter((l) => /^ {12}\S.*# +\d+ {2}/.test(l)).map((l) => l.trim());
}

async function run(argv: string[], cwd: string) {
  let stdout = '', stderr = '';
  const code = await exportCommand.run(parseArgs(argv, exportCommand), { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd });
  return { code, stdout, stderr };
}

describe('export to PyTorch: generation', () => {
  it('writes one module per layer, each with its .cnn statement and output shape', () => {
    const lines = moduleLines(LENET);
    assert.equal(lines.length, 13);
    assert.match(lines[0], /^nn\.Conv2d\(1, 6, kernel_size=5, padding=2\), +# +0 {2}conv 6 kernel=5 pad=2 {2}-> 6x28x28$/);
    assert.match(lines[2], /^nn\.MaxPool2d\(2\),/);
    assert.match(lines[6], /^nn\.Flatten\(\),.*-> 400$/);
    assert.match(lines[7], /^nn\.Linear\(400, 120\),/);
    assert.match(lines[12], /^nn\.Softmax\(dim=1\),/);
  });

  it('maps every layer kind and setting to the torch module that computes the same', () => {
    const lines = moduleLines(`input 3x12x10
conv 4 kernel=3x2 stride=2 pad=1x0 bias=false
batchnorm momentum=0.2 epsilon=0.001
tanh
avgpool 2 stride=1
dropout 0.25
globalavgpool
dense 6
batchnorm
sigmoid
dense 3
loss mse
`);
    assert.deepEqual(lines.map((l) => /^(.*?),\s+#/.exec(l)![1]), [
      'nn.Conv2d(3, 4, kernel_size=(3, 2), stride=2, padding=(1, 0), bias=False)',
      'nn.BatchNorm2d(4, eps=0.001, momentum=0.2)',
      'nn.Tanh()',
      'nn.AvgPool2d(2, stride=1)',
      'nn.Dropout(p=0.25)',
      'nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())',
      'nn.Linear(4, 6)',
      'nn.BatchNorm1d(6, eps=0.00001, momentum=0.1)',
      'nn.Sigmoid()',
      'nn.Linear(6, 3)',
    ]);
    const model = generate('input 3x12x10\nconv 4 kernel=3\nrelu\nglobalavgpool\ndense 3\nloss mse\n').files.get('model.py')!;
    assert.match(model, /LOSS = "mse"\n.*\nSOFTMAX_FUSED = False/);
  });

  it("initialises like ConvLab: He before a relu (past dropout and batchnorm), else Xavier; biases zero, batchnorm ones", () => {
    const model = generate('input 1x8x8\nconv 2 kernel=3\nbatchnorm\ndropout\nrelu\nflatten\ndense 4\nsigmoid\ndense 2\nsoftmax\n').files.get('model.py')!;
    assert.match(model, /nn\.init\.kaiming_normal_\(self\.layers\[0\]\.weight, nonlinearity="relu"\)/);
    assert.match(model, /nn\.init\.zeros_\(self\.layers\[0\]\.bias\)/);
    assert.match(model, /nn\.init\.ones_\(self\.layers\[1\]\.weight\)/);
    assert.match(model, /nn\.init\.xavier_normal_\(self\.layers\[5\]\.weight\)/);
    assert.match(model, /nn\.init\.xavier_normal_\(self\.layers\[7\]\.weight\)/);
    assert.doesNotMatch(model, /running_mean\)/);
  });

  it('counts the parameters as the engine does', () => {
    const text = 'input 1x8x8\nconv 2 kernel=3\nbatchnorm\nrelu\nflatten\ndense 4 bias=false\ndense 2\n';
    const network = new Network(new CpuBackend(), analyze(text).spec, { maxBatch: 1 });
    assert.equal(generate(text).plan.parameterCount, network.parameterCount);
    network.dispose();
  });

  it("writes the model file's train settings and data into train.py", () => {
    const train = generate(LENET).files.get('train.py')!;
    assert.match(train, /"epochs": 3,/);
    assert.match(train, /"batch": 8,/);
    assert.match(train, /"optimizer": "sgd",/);
    assert.match(train, /"lr": 0\.005,/);
    assert.match(train, /"momentum": 0\.9,/);
    assert.match(train, /"decay": 0\.001,/);
    assert.match(train, /"seed": 1,/);
    assert.match(train, /DATA = \{"kind": "idx", "dir": os\.path\.join\(HERE, "data\/mnist"\)\}/);
    assert.equal(generate(LENET).builtinMnistDir, 'data/mnist');
    const libsvm = generate('input 1x1x4\nflatten\ndense 2\ntrain data=libsvm:/d/a.txt,/d/b.txt optimizer=adam validation=0.1 weight_decay=0.01\n');
    assert.match(libsvm.files.get('train.py')!, /DATA = \{"kind": "libsvm", "train": "\/d\/a\.txt", "test": "\/d\/b\.txt"\}/);
    assert.match(libsvm.files.get('train.py')!, /"optimizer": "adam",[\s\S]*"weight_decay": 0\.01,[\s\S]*VALIDATION = 0\.1/);
    assert.equal(libsvm.builtinMnistDir, null);
  });

  it('refuses what has no exact PyTorch counterpart, naming the line', () => {
    const text = 'input 1x8x8\nflatten\ndense 2\ntrain data=idx:d optimizer=newton\n';
    assert.throws(() => generate(text), (e: Error) => e instanceof ExportError && /^m\.cnn:4: optimizer newton .*no PyTorch counterpart/.test(e.message));
    assert.throws(() => generate('input 1x8x8\ndense 2\n'), (e: Error) => e instanceof ExportError && /^m\.cnn:2: .*fix the model's errors first/.test(e.message));
  });

  it('writes IDX files as the loaders read them', () => {
    const bytes = idxBytes([2, 1, 3], Uint8Array.from([1, 2, 3, 4, 5, 6]));
    assert.deepEqual([...bytes], [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    assert.throws(() => idxBytes([2, 2], new Uint8Array(3)), /need 4 bytes, got 3/);
  });
});

describe('convlab export', function () {
  this.timeout(60_000);
  let dir = '';
  const MODEL = 'input 1x8x8\nconv 2 kernel=3\nbatchnorm\nrelu\nflatten\ndense 3\nsoftmax\ntrain data=idx:data epochs=1\n';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-export-'));
    writeFileSync(join(dir, 'small.cnn'), MODEL);
    writeFileSync(join(dir, 'other.cnn'), MODEL.replace('dense 3', 'dense 4'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the folder with the weights of a checkpoint, its optimizer state dropped', async () => {
    await writeCheckpointFile(join(dir, 'small.ckpt'), await checkpointOf(MODEL, { optimizerState: true }));
    const r = await run(['small.cnn', '--to', 'pytorch', '--weights', 'small.ckpt'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported small\.cnn to small-pytorch: model\.py, train\.py, README\.md, weights\.safetensors/);
    const weights = await readCheckpointFile(join(dir, 'small-pytorch', 'weights.safetensors'));
    const saved = await readCheckpointFile(join(dir, 'small.ckpt'));
    assert.ok([...saved.tensors.keys()].some((n) => n.startsWith('optim.')));
    assert.deepEqual([...weights.tensors.keys()], [...saved.tensors.keys()].filter((n) => !n.startsWith('optim.')));
    assert.deepEqual(weights.tensors.get('layers.4.weight')!.data, saved.tensors.get('layers.4.weight')!.data);
    assert.match(readFileSync(join(dir, 'small-pytorch', 'README.md'), 'utf8'), /torchrun --nproc_per_node=4 train\.py/);
  });

  it('refuses a checkpoint of another model, listing what differs, and writes nothing', async () => {
    await writeCheckpointFile(join(dir, 'other.ckpt'), await checkpointOf(MODEL.replace('dense 3', 'dense 4')));
    const r = await run(['small.cnn', '--to', 'pytorch', '--weights', 'other.ckpt', '--out', 'refused'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /other\.ckpt does not fit this model.*\n {2}layers\.4\.weight: expected \[3, 72\], found \[4, 72\]/);
    assert.ok(!existsSync(join(dir, 'refused')));
  });

  it('exports the built-in MNIST beside a model that trains on it, as the same split', async () => {
    writeFileSync(join(dir, 'mnist.cnn'), 'input 1x28x28\nflatten\ndense 10\ntrain data=mnist\n');
    const r = await run(['mnist.cnn', '--to', 'pytorch', '--out', 'mnist-out'], dir);
    assert.equal(r.code, 0, r.stderr);
    const labels = gunzipSync(readFileSync(join(dir, 'mnist-out', 'data', 'mnist', 'train-labels-idx1-ubyte.gz')));
    const images = gunzipSync(readFileSync(join(dir, 'mnist-out', 'data', 'mnist', 't10k-images-idx3-ubyte.gz')));
    assert.deepEqual([...labels.subarray(0, 8)], [0, 0, 8, 1, 0, 0, 0x1f, 0x40]);  // 8,000 labels
    assert.equal(images.length, 16 + 2000 * 784);
  });

  it('writes ONNX with the initial weights when no checkpoint is given', async () => {
    const r = await run(['small.cnn', '--to', 'onnx'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /to small\.onnx \(ONNX, initial weights\)/);
    assert.ok(readFileSync(join(dir, 'small.onnx')).length > 72 * 3 * 4);
  });

  it('asks for a target it knows', async () => {
    await assert.rejects(run(['small.cnn'], dir), /--to pytorch or --to onnx/);
    await assert.rejects(run(['small.cnn', '--to', 'keras'], dir), /--to must be pytorch or onnx, not 'keras'/);
  });
});
