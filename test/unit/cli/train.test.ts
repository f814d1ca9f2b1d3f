// `convlab train` and `convlab gradcheck` end to end on the built-in MNIST with a tiny model.

import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradcheckCommand } from '../../../src/cli/gradcheck';
import { formatDuration, formatProgress } from '../../../src/cli/progress';
import { checkpointsCommand } from '../../../src/cli/checkpoints';
import { trainCommand } from '../../../src/cli/train';
import { readCheckpointFile } from '../../../src/engine/checkpoint-file';
import { runCommand } from './run-command';

const MODEL = `input 1x28x28
flatten
dense 10
softmax
train data=mnist epochs=1 batch=200 optimizer=sgd lr=0.1 momentum=0.9 seed=3
`;

const run = runCommand;

describe('convlab train / gradcheck', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-train-'));
    writeFileSync(join(dir, 'tiny.cnn'), MODEL);
    writeFileSync(join(dir, 'broken.cnn'), 'input 1x28x28\nconv 4 kernel=5\ndense 10\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a model without `train` says which defaults it trains with', async () => {
    writeFileSync(join(dir, 'bare.cnn'), 'input 1x28x28\nflatten\ndense 10\n');
    const r = await run(trainCommand, ['bare.cnn', '--epochs', '1', '--batch', '500', '--backend', 'cpu'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note: bare\.cnn has no `train` statement, so it trains on the built-in MNIST with the defaults: 3 epochs, batch 64/);
    const withTrain = await run(trainCommand, ['tiny.cnn', '--epochs', '1', '--backend', 'cpu'], dir);
    assert.doesNotMatch(withTrain.stderr, /no `train` statement/);
  });

  it('--json prints exactly one JSON object per epoch with the documented keys', async () => {
    const r = await run(trainCommand, ['tiny.cnn', '--json', '--epochs', '2', '--backend', 'cpu'], dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    lines.forEach((line, i) => {
      const o = JSON.parse(line);
      assert.deepEqual(Object.keys(o), ['epoch', 'loss', 'trainAccuracy', 'testAccuracy', 'seconds', 'imagesPerSecond', 'backend']);
      assert.equal(o.epoch, i + 1);
      assert.equal(o.backend, 'cpu');
      assert.ok(o.testAccuracy > 0.8 && o.testAccuracy <= 1, line);
      assert.ok(o.imagesPerSecond > 0 && o.seconds > 0);
    });
  });

  it('prints per-epoch lines, draws the progress bar only on a terminal', async () => {
    const plain = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu'], dir);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^training tiny\.cnn on .*cpu \(f32\).*\nepoch 1\/1 {2}loss \d\.\d{4} {2}train \d+\.\d\d% {2}test \d+\.\d\d% /m);
    assert.doesNotMatch(plain.stderr, /\r/);
    const tty = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu', '--batch', '100'], dir, true);
    assert.match(tty.stderr, /\r\x1b\[2Kepoch 1\/1 \[[█░]+\] +\d+\/80 {2}loss \d\.\d{4} {2}\d+ img\/s {2}ETA \d+:\d\d/);
  });

  it('--save then --resume continues at the next epoch', async () => {
    const first = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu', '--json', '--save', 'tiny.ckpt'], dir);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(existsSync(join(dir, 'tiny.ckpt')));
    const second = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu', '--json', '--resume', 'tiny.ckpt', '--epochs', '2'], dir);
    assert.equal(second.code, 0, second.stderr);
    const epochs = second.stdout.trim().split('\n').map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, [2]);
    assert.match(second.stderr, /resuming from tiny\.ckpt at epoch 1, step 40/);
    const done = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu', '--resume', 'tiny.ckpt'], dir);
    assert.equal(done.code, 1);
    assert.match(done.stderr, /already has 1 epochs; ask for more with --epochs/);
  });

  it('--stop-at-step mid-epoch, --save, then --resume continues bit for bit like an uninterrupted run', async () => {
    const cpu = ['tiny.cnn', '--backend', 'cpu', '--json', '--epochs', '2'];
    const whole = await run(trainCommand, [...cpu, '--save', 'whole.ckpt'], dir);
    assert.equal(whole.code, 0, whole.stderr);
    const part = await run(trainCommand, [...cpu, '--stop-at-step', '55', '--save', 'part.ckpt'], dir);
    assert.equal(part.code, 0, part.stderr);
    assert.match(part.stderr, /stopped at step 55 \(--stop-at-step\)/);
    assert.match(part.stderr, /saved part\.ckpt \(epoch 1, step 55\)/);
    const rest = await run(trainCommand, [...cpu, '--resume', 'part.ckpt', '--save', 'rest.ckpt'], dir);
    assert.equal(rest.code, 0, rest.stderr);
    assert.doesNotMatch(rest.stderr, /note:/);
    const figures = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l)).map((o) => [o.epoch, o.loss, o.trainAccuracy, o.testAccuracy]);
    assert.deepEqual(figures(rest.stdout), figures(whole.stdout).slice(1));
    const [a, b] = [await readCheckpointFile(join(dir, 'whole.ckpt')), await readCheckpointFile(join(dir, 'rest.ckpt'))];
    assert.deepEqual([...b.tensors.keys()], [...a.tensors.keys()]);
    for (const [name, t] of a.tensors) assert.deepEqual(b.tensors.get(name)!.data, t.data, name);
    assert.deepEqual(b.metadata.resume, a.metadata.resume);

    const other = await run(trainCommand, [...cpu, '--resume', 'part.ckpt', '--batch', '100', '--lr', '0.05'], dir);
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stderr, /note: batch changed from 200 to 100: the unfinished epoch continues at step 31 of 80/);
    assert.match(other.stderr, /note: lr changed from 0\.1 to 0\.05/);
  });

  it('--checkpoint keeps numbered checkpoints and a latest copy; `checkpoints` lists them newest first', async () => {
    const cpu = ['tiny.cnn', '--backend', 'cpu', '--checkpoint'];
    const long = await run(trainCommand, [...cpu, '--epochs', '1'], dir);
    assert.equal(long.code, 0, long.stderr);
    assert.match(long.stderr, /saved tiny\.step-000040\.ckpt\.safetensors and tiny\.ckpt\.safetensors \(epoch 1, step 40\)/);
    const short = await run(trainCommand, [...cpu, '--resume', 'tiny.ckpt.safetensors', '--epochs', '2', '--stop-at-step', '41'], dir);
    assert.equal(short.code, 0, short.stderr);
    assert.ok(existsSync(join(dir, 'tiny.step-000040.ckpt.safetensors')), 'the earlier checkpoint is kept');
    assert.equal((await readCheckpointFile(join(dir, 'tiny.ckpt.safetensors'))).metadata.step, 41);

    const listed = await run(checkpointsCommand, ['tiny.cnn'], dir);
    assert.equal(listed.code, 0, listed.stderr);
    // Step 41 was never reported (the run stopped first), so it has no figures.
    assert.match(listed.stdout, /^tiny\.step-000041\.ckpt\.safetensors {2}epoch 1 {2}step 41 {2}sgd {2}\S+\n/);
    assert.match(listed.stdout, /\ntiny\.step-000040\.ckpt\.safetensors {2}epoch 1 {2}step 40 {2}sgd {2}\S+ {2}loss \d\.\d{4} {2}train \d+\.\d\d% {2}test \d+\.\d\d%\n$/);
    const json = await run(checkpointsCommand, ['tiny.cnn', '--json'], dir);
    assert.deepEqual(json.stdout.trim().split('\n').map((l) => JSON.parse(l).step), [41, 40]);
    const none = await run(checkpointsCommand, ['broken.cnn'], dir);
    assert.match(none.stdout, /no checkpoints of broken\.cnn yet/);
    await assert.rejects(run(trainCommand, ['tiny.cnn', '--keep', '2'], dir), /--keep goes with --checkpoint/);
  });

  it('stops with the step and layer where NaN/∞ first appeared, and exits 1', async () => {
    // Two dense layers: lr 1e30 makes both weights huge, and their product overflows.
    writeFileSync(join(dir, 'diverge.cnn'), MODEL.replace('dense 10', 'dense 16\ndense 10').replace('momentum=0.9', 'momentum=0'));
    const r = await run(trainCommand, ['diverge.cnn', '--backend', 'cpu', '--lr', '1e30', '--save', 'diverge.ckpt'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /convlab train: training stopped: non-finite values \(NaN or ∞\) first appeared at step \d+ in layer \d+ \(\w+, line \d\)/);
    const kept = await readCheckpointFile(join(dir, 'diverge.ckpt'));
    for (const [name, t] of kept.tensors) assert.ok(t.data.every(Number.isFinite), `${name}: the last good weights were saved`);
  });

  it('refuses a model with errors and prints its diagnostics', async () => {
    const r = await run(trainCommand, ['broken.cnn', '--backend', 'cpu'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.cnn:3:1: error: .*flatten/);
    assert.match(r.stderr, /fix it before running train/);
    assert.equal(r.stdout, '');
  });

  it('reports bad arguments and missing files clearly', async () => {
    await assert.rejects(run(trainCommand, ['tiny.cnn', '--backend', 'gpu'], dir), /--backend must be webgpu, cpu or auto, not 'gpu'/);
    await assert.rejects(run(trainCommand, ['tiny.cnn', '--epochs', '0'], dir), /--epochs must be a positive integer, not 0/);
    const missing = await run(trainCommand, ['nope.cnn'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read nope\.cnn: no such file/);
    const badData = await run(trainCommand, ['tiny.cnn', '--backend', 'cpu', '--data', 'idx:missing-folder'], dir);
    assert.equal(badData.code, 1);
    assert.match(badData.stderr, /cannot load the data: .*missing-folder/);
  });

  it('gradcheck prints a passing table (f64 cpu) and --json', async () => {
    const r = await run(gradcheckCommand, ['tiny.cnn'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /gradient check on cpu \(f64\)/);
    assert.match(r.stdout, /layers\.1\.weight +10×784 +40\/7840 +\d\.\d\de-\d+ +ok/);
    assert.match(r.stdout, /all 2 tensors pass/);
    const j = await run(gradcheckCommand, ['tiny.cnn', '--json', '--seed', '9'], dir);
    const o = JSON.parse(j.stdout);
    assert.equal(o.passed, true);
    assert.ok(o.tensors.every((t: { maxRelativeError: number }) => t.maxRelativeError < 1e-5));
  });

  it('formats progress and durations', () => {
    assert.equal(formatDuration(59.6), '1:00');
    assert.equal(formatDuration(3725), '1:02:05');
    const line = formatProgress({ epoch: 2, epochs: 3, step: 5, stepsPerEpoch: 10, loss: 0.123456, imagesPerSecond: 812.4, imagesLeft: 1600 }, 800);
    assert.equal(line, `epoch 2/3 [${'█'.repeat(12)}${'░'.repeat(12)}]  5/10  loss 0.1235  812 img/s  ETA 0:02`);
  });
});
