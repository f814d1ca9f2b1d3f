// The CLI with .config files: `convert` writes a .cnn that `check` accepts, refuses to overwrite or to
// convert a broken model, and `check`, `train` (on a tiny simpleNN .mat data set) and `gradcheck`
// take a .config directly.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/args';
import { checkCommand } from '../../../src/cli/check';
import { convertCommand } from '../../../src/cli/convert';
import { gradcheckCommand } from '../../../src/cli/gradcheck';
import { trainCommand } from '../../../src/cli/train';
import { runCommand } from '../cli/run-command';

const root = join(__dirname, '../../../..');

// simpleNN's 8×8 three-class fixture (test/fixtures/mat): pad 1, 3×3 conv to 4 maps, pool 2 → 4·4·4 = 64 → 3.
const TINY = `% a tiny model for the 1×8×8, three-class simpleNN .mat fixture
L = 2;
LC = 1;
LF = 1;
wd_input = 8;
ht_input = 8;
ch_input = [1, 4];
wd_pad_added = [1];
wd_filter = [3];
strides = [1];
wd_subimage_pool = [2];
full_neurons = [3];
`;

const run = runCommand;

describe('convlab with simpleNN .config files', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-simplenn-'));
    for (const name of ['mnist-demo-layer4.config', 'no-pool.config', 'broken.config']) copyFileSync(join(root, 'test/fixtures/simplenn', name), join(dir, name));
    for (const name of ['simplenn.mat', 'simplenn.t.mat']) copyFileSync(join(root, 'test/fixtures/mat', name), join(dir, name));
    writeFileSync(join(dir, 'tiny.config'), TINY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('convert writes the .cnn beside the .config, refuses to overwrite without --force, and check accepts the result', async () => {
    const first = await run(convertCommand, ['no-pool.config'], dir);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'wrote no-pool.cnn (6 layers, 9,154 parameters)\n');
    const cnn = readFileSync(join(dir, 'no-pool.cnn'), 'utf8');
    assert.match(cnn, /^# Converted from the simpleNN model no-pool\.config/);
    assert.match(cnn, /\ninput 1x28x28\nconv 8 kernel=4 pad=0 stride=2\nrelu\nconv 16 kernel=3 pad=1 stride=2\nrelu\nflatten\ndense 10\nloss mse\n$/);
    const check = await run(checkCommand, ['no-pool.cnn'], dir);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /^Total params: 9,154$/m);
    assert.match(check.stdout, /^No problems found\.$/m);

    const again = await run(convertCommand, ['no-pool.config'], dir);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'convlab convert: no-pool.cnn already exists; give --force to overwrite it\n');
    const forced = await run(convertCommand, ['no-pool.config', '--force', '--out', 'no-pool.cnn', '--options', '-s 2 -lr 0.05 -epoch_max 2', '--data', 'mnist'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(join(dir, 'no-pool.cnn'), 'utf8'), /\nloss mse\ntrain data=mnist optimizer=sgd batch=128 epochs=2 lr=0.05 decay=0 momentum=0\n$/);
    assert.equal((await run(checkCommand, ['no-pool.cnn'], dir)).code, 0);
  });

  it('convert refuses a .config with errors (listed at their .config positions) and bad simpleNN options', async () => {
    const broken = await run(convertCommand, ['broken.config'], dir);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^convlab convert: broken\.config:2:5: error: L \(line 2\): L = 4 but LC \+ LF = 2 \+ 1 = 3/m);
    assert.match(broken.stderr, /^broken\.config:9:16: error: conv layer 2 \(line 7\): `wd_filter` takes/m);
    assert.match(broken.stderr, /broken\.config has 3 errors; fix them before running convert/);
    await assert.rejects(run(convertCommand, ['no-pool.config', '--force', '--options', '-s 1 -SR 0.1'], dir),
      (err: unknown) => err instanceof UsageError && /^--options: -SR .* -GNsize/.test(err.message));
    await assert.rejects(run(convertCommand, ['no-pool.cnn'], dir), (err: unknown) => err instanceof UsageError && /is not a simpleNN \.config file/.test(err.message));
  });

  it('check reads a .config directly: its table, and the demo\'s pooling warning at the .config position', async () => {
    const r = await run(checkCommand, ['mnist-demo-layer4.config'], dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^conv \(11\) +32×28×28 +832 /m);
    assert.match(r.stdout, /^maxpool \(15\) +64×3×3 /m);
    assert.match(r.stdout, /^dense \(16\) +10 +5,770 /m);
    assert.match(r.stdout, /^Total params: 62,026$/m);
    assert.match(r.stdout, /^mnist-demo-layer4\.config:15:25: warning: pooling of conv layer 3 \(line 15\)/m);
    const json = JSON.parse((await run(checkCommand, ['broken.config', '--json'], dir)).stdout);
    assert.deepEqual(json.diagnostics.map((d: { code: string; line: number; column: number }) => [d.code, d.line, d.column]),
      [['config-layer-count', 2, 5], ['config-vector-length', 8, 16], ['not-an-integer', 9, 16]]);
  });

  it('train --simplenn takes simpleNN\'s options for a .config (sgd, and Newton on the .mat data), and refuses them for a .cnn', async () => {
    const mat = ['--data', 'mat:simplenn.mat,simplenn.t.mat', '--backend', 'cpu'];
    const sgd = await run(trainCommand, ['tiny.config', ...mat, '--simplenn', '-s 2 -lr 0.1 -momentum 0.5 -bsize 4 -epoch_max 2 -xi 0.2'], dir);
    assert.equal(sgd.code, 0, sgd.stderr);
    // 4(3·3·1+1) + 3(4·4·4+1) = 40 + 195
    assert.match(sgd.stdout, /^training tiny\.config on .*: 235 parameters, 2 epochs of 3 steps \(batch 4, sgd, lr 0\.1\)$/m);
    assert.match(sgd.stderr, /^note: -xi is ignored: only Newton's method \(-s 1\) uses it$/m);
    const newton = await run(trainCommand, ['tiny.config', ...mat, '--simplenn', '-s 1 -iter_max 2 -GNsize 6', '--json'], dir);
    // simpleNN's own method on its own kind of data: each row is one Newton iteration, f falls.
    assert.equal(newton.code, 0, newton.stderr);
    const rows = newton.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.epoch), [1, 2]);
    assert.ok(rows[1].f < rows[0].f && rows.every((r) => r.cgIterations >= 1 && r.subsampleSize === 6), newton.stdout);
    assert.match(newton.stderr, /^note: epochs is simpleNN's -iter_max/m);
    await assert.rejects(run(trainCommand, ['no-pool.cnn', '--simplenn', '-s 2'], dir),
      (err: unknown) => err instanceof UsageError && /--simplenn goes with a simpleNN \.config/.test(err.message));
  });

  it('trains a .config on simpleNN .mat data for two epochs, and gradcheck passes on it', async () => {
    const r = await run(trainCommand, ['tiny.config', '--data', 'mat:simplenn.mat,simplenn.t.mat', '--epochs', '8', '--batch', '4', '--backend', 'cpu', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const epochs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of epochs) assert.ok(Number.isFinite(e.loss) && e.loss >= 0, JSON.stringify(e));
    assert.ok(epochs[7].loss < epochs[0].loss, `the squared loss falls: ${epochs.map((e) => e.loss.toFixed(4)).join(' ')}`);
    const noData = await run(trainCommand, ['tiny.config', '--epochs', '1', '--stop-at-step', '1', '--backend', 'cpu'], dir);
    // A .config names no data: without --data it falls back to MNIST, which this input does not fit, and says so.
    assert.equal(noData.code, 1);
    assert.match(noData.stderr, /has 1×28×28 examples but the model's input is 1×8×8/);
    const g = await run(gradcheckCommand, ['tiny.config', '--json'], dir);
    assert.equal(g.code, 0, g.stdout + g.stderr);
    assert.equal(JSON.parse(g.stdout).passed, true);
  });
});
