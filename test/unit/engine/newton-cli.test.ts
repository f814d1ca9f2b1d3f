// `convlab train` with optimizer=newton on the built-in MNIST: one line per Newton iteration in
// simpleNN's style, or one JSON row with the same figures, and a checkpoint that resumes with its λ.

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainCommand } from '../../../src/cli/train';
import { runCommand } from '../cli/run-command';

const MODEL = `input 1x28x28
flatten
dense 10
softmax
train data=mnist epochs=2 batch=500 optimizer=newton GNsize=500 CGmax=20 seed=3
`;

const train = (argv: string[], cwd: string) => runCommand(trainCommand, argv, cwd);

describe('convlab train optimizer=newton', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-newton-'));
    writeFileSync(join(dir, 'newton.cnn'), MODEL);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one simpleNN-style line per iteration', async () => {
    const r = await train(['newton.cnn', '--backend', 'cpu'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^training newton\.cnn on .*: 7,850 parameters, 2 Newton iterations \(batch 500, C 0\.01, GNsize 500, xi 0\.1, CGmax 20, lambda 1\)\n/);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('iter '));
    assert.equal(lines.length, 2, r.stdout);
    for (const [i, line] of lines.entries()) {
      assert.match(line, new RegExp(`^iter ${i + 1}/2 {2}f \\S+ {2}\\|g\\| \\S+ {2}alpha \\S+ {2}#CG \\d+ {2}actred \\S+ {2}prered \\S+ {2}lambda \\S+ {2}train \\d+\\.\\d\\d% {2}test \\d+\\.\\d\\d% {2}\\d+\\.\\d s$`));
    }
    assert.doesNotMatch(r.stdout, /^epoch /m, 'the iteration line stands for the epoch line');
  });

  it('--json rows carry the iteration figures; --save/--resume continues with the saved λ', async () => {
    const first = await train(['newton.cnn', '--backend', 'cpu', '--json', '--save', 'n.ckpt', '--epochs', '1'], dir);
    assert.equal(first.code, 0, first.stderr);
    const row = JSON.parse(first.stdout.trim());
    assert.deepEqual(Object.keys(row), ['epoch', 'loss', 'trainAccuracy', 'testAccuracy', 'seconds', 'backend', 'f', 'gradientNorm', 'stepSize',
      'cgIterations', 'backtracks', 'actualReduction', 'predictedReduction', 'lambda', 'validationAccuracy', 'subsampleSize']);
    assert.equal(row.epoch, 1);
    assert.ok(row.f > row.loss && row.actualReduction < 0 && row.cgIterations >= 1 && row.testAccuracy > 0.5, first.stdout);
    const second = await train(['newton.cnn', '--backend', 'cpu', '--json', '--resume', 'n.ckpt'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resuming from n\.ckpt at epoch 1, step 1/);
    const next = JSON.parse(second.stdout.trim());
    assert.equal(next.epoch, 2);
    assert.ok(next.f < row.f, `f ${row.f} → ${next.f}`);
    const whole = await train(['newton.cnn', '--backend', 'cpu', '--json'], dir);
    const uninterrupted = JSON.parse(whole.stdout.trim().split('\n')[1]);
    assert.equal(next.f, uninterrupted.f, 'the resumed iteration is the uninterrupted one');
    assert.equal(next.lambda, uninterrupted.lambda);
  });
});
