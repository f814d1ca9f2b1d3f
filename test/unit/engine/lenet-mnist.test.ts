// End to end (slow): LeNet-5 from examples/lenet5.cnn on the built-in MNIST split, CPU backend, with
// the example's own train statement, must reach ≥ 97 % test accuracy within 3 epochs.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { loadDataset } from '../../../src/engine/data/node-files';
import { Trainer, type TrainEvent } from '../../../src/engine/train';
import { analyze } from '../../../src/lang';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('LeNet-5 on the built-in MNIST (cpu, slow)', function () {
  this.timeout(600_000);

  it('reaches ≥ 97 % test accuracy within 3 epochs', async () => {
    const analysis = analyze(readFileSync(join(ROOT, 'examples', 'lenet5.cnn'), 'utf8'));
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
    const dataset = await loadDataset(analysis.spec.train.data);
    assert.equal(dataset.train.count, 8000);
    const epochs: Extract<TrainEvent, { type: 'epoch' }>[] = [];
    const trainer = new Trainer({
      spec: analysis.spec, dataset, backend: new CpuBackend(), settings: { epochs: Math.min(3, analysis.spec.train.epochs) },
      onEvent: (e) => { if (e.type === 'epoch') epochs.push(e); },
    });
    await trainer.run();
    const summary = epochs.map((e) => `epoch ${e.epoch}: test ${(e.testAccuracy! * 100).toFixed(2)}%, ${Math.round(e.imagesPerSecond)} img/s`).join('; ');
    console.log(`      ${summary}`);
    assert.ok(epochs.length <= 3);
    assert.ok(Math.max(...epochs.map((e) => e.testAccuracy!)) >= 0.97, summary);
  });
});
