// `convlab import`: writes the .cnn and its checkpoint, refuses to overwrite without --force, names
// the node it cannot map, and `convlab train --resume` continues from the imported weights.

import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommand } from '../../../src/cli/import';
import { trainCommand } from '../../../src/cli/train';
import { readCheckpointFile } from '../../../src/engine/checkpoint-file';
import { decodeModel, encodeModel } from '../../../src/export/onnx/codec';
import { exportOnnx } from '../../../src/export/onnx/index';
import { randomWeights, specOf } from './onnx-helpers';
import { runCommand } from '../cli/run-command';

const MODEL = `input 1x28x28
conv 2 kernel=5 stride=3
relu
flatten
dense 10
softmax
`;

const run = runCommand;

describe('convlab import', function () {
  this.timeout(120_000);
  let dir = '';
  const spec = specOf(MODEL), weights = randomWeights(spec, 31);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-import-'));
    writeFileSync(join(dir, 'small.onnx'), exportOnnx(spec, weights));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes MODEL.cnn and MODEL.ckpt.safetensors holding the weights, and refuses to overwrite them without --force', async () => {
    const first = await run(importCommand, ['small.onnx'], dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /imported small\.onnx: 5 layers to small\.cnn, weights to small\.ckpt\.safetensors/);
    assert.match(readFileSync(join(dir, 'small.cnn'), 'utf8'), /\nconv 2 kernel=5 stride=3 /);
    const checkpoint = await readCheckpointFile(join(dir, 'small.ckpt.safetensors'));
    assert.equal(checkpoint.metadata.epoch, 0);
    for (const [name, t] of weights) assert.deepEqual(checkpoint.tensors.get(name)!.data, t.data, name);

    const again = await run(importCommand, ['small.onnx'], dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /small\.cnn and small\.ckpt\.safetensors already exist; pass --force to overwrite/);
    const forced = await run(importCommand, ['small.onnx', '--force', '--out', 'other/name.cnn'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(existsSync(join(dir, 'other', 'name.cnn')) && existsSync(join(dir, 'other', 'name.ckpt.safetensors')));
  });

  it('lets `convlab train --resume` continue from the imported weights', async () => {
    const result = await run(trainCommand, ['small.cnn', '--resume', 'small.ckpt.safetensors', '--stop-at-step', '2', '--batch', '32', '--backend', 'cpu'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /resuming from small\.ckpt\.safetensors at epoch 0, step 0/);
  });

  it('refuses a model it cannot map, naming the node, and writes nothing', async () => {
    // The same graph with its Relu turned into an operator outside the subset.
    const model = decodeModel(readFileSync(join(dir, 'small.onnx')));
    model.graph.node[1].op_type = 'Selu';
    writeFileSync(join(dir, 'odd.onnx'), encodeModel(model));
    const result = await run(importCommand, ['odd.onnx'], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /convlab import: odd\.onnx: node 1 'layers\.1\.Relu' \(Selu\) cannot be imported: Selu is not an operator/);
    assert.ok(!existsSync(join(dir, 'odd.cnn')) && !existsSync(join(dir, 'odd.ckpt.safetensors')));
  });

  it('reports an unreadable file as a usage problem', async () => {
    const result = await run(importCommand, ['missing.onnx'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read missing\.onnx: no such file/);
  });
});
