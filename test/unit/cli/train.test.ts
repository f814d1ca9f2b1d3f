// `convlab train` and `convlab gradcheck` end to end on the built-in MNIST with a tiny model.

import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type Command } from '../../../src/cli/args';
import { gradcheckCommand } from '../../../src/cli/gradcheck';
import type { TerminalIo } from '../../../src/cli/progress';
import { formatDuration, formatProgress } from '../../../src/cli/progress';
import { trainCommand } from '../../../src/cli/train';

const MODEL = `input 1x28x28
flatten
dense 10
softmax
train data=mnist epochs=1 batch=200 optimizer=sgd lr=0.1 momentum=0.9 seed=3
`;

async function run(command: Command, argv: string[], cwd: string, tty = false) {
  let stdout = '', stderr = '';
  const io: TerminalIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, stderrIsTTY: tty, columns: 120 };
  const code = await command.run(parseArgs(argv, command), io);
  return { code, stdout, stderr };
}

describe('convlab train / gradcheck', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-train-'));
    writeFileSync(join(dir, 'tiny.cnn'), MODEL);
    writeFileSync(join(dir, 'broken.cnn'), 'input 1x28x28\nconv 4 kernel=5\ndense 10\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

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
