// `convlab bench` peers workloads end to end on a cheap subset (convlab-cpu and tfjs-cpu, --quick):
// runs the built dist/cli.js (build with `node scripts/build.mjs` first) and checks the JSON line
// format and the ratio table. No timing is asserted: only shapes, names and consistency.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');
const cli = join(root, 'dist', 'cli.js');
const CHEAP = ['bench', '--quick', '--only', 'lenet5', '--contestants', 'convlab-cpu,tfjs-cpu'];

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('convlab bench (peers)', function () {
  this.timeout(300_000);
  before(() => assert.ok(existsSync(cli), `${cli} is missing: run \`node scripts/build.mjs\` first`));

  it('--json prints one measurement object per line and nothing else', () => {
    const r = bench([...CHEAP, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(objects.length >= 5, r.stdout);
    for (const o of objects) {
      assert.deepEqual(Object.keys(o), ['contestant', 'workload', 'metric', 'median', 'min', 'max']);
      assert.ok(['convlab-cpu', 'tfjs-cpu'].includes(o.contestant as string), String(o.contestant));
      assert.equal(o.workload, 'lenet5');
      const [min, median, max] = [o.min, o.median, o.max] as number[];
      assert.ok(min > 0 && min <= median && median <= max, JSON.stringify(o));
    }
    const metrics = (c: string) => objects.filter((o) => o.contestant === c).map((o) => o.metric).sort();
    assert.deepEqual(metrics('convlab-cpu'), ['gemm_gflops', 'infer_images_per_s', 'train_images_per_s']);
    assert.deepEqual(metrics('tfjs-cpu'), ['infer_images_per_s', 'train_images_per_s']);
  });

  it('prints a table with convlab-cpu as a multiple of each peer', () => {
    const r = bench(CHEAP);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^peers · lenet5 1×28×28, batch 64 \(inference 256\), SGD lr 0\.01 momentum 0\.9$/m);
    assert.match(r.stdout, /^contestant +train im\/s \(min–max\) +infer im\/s \(min–max\) +cpu×train +cpu×infer +loss first→last$/m);
    assert.match(r.stdout, /^convlab-cpu +[\d,.]+ \([\d,.]+–[\d,.]+\) +[\d,.]+ \([\d,.]+–[\d,.]+\) +1\.00× +1\.00× +[\d.]+→[\d.]+$/m);
    const peer = /^tfjs-cpu +([\d,.]+) \([\d,.]+–[\d,.]+\) +[\d,.]+ \([\d,.]+–[\d,.]+\) +([\d.]+)× +[\d.]+× +[\d.]+→[\d.]+$/m.exec(r.stdout);
    assert.ok(peer, r.stdout);
    const ours = Number(/^convlab-cpu +([\d,.]+)/m.exec(r.stdout)![1].replace(/,/g, ''));
    const theirs = Number(peer[1].replace(/,/g, ''));
    // The ratio column is convlab-cpu's median over the peer's (to the table's rounding).
    assert.ok(Math.abs(Number(peer[2]) - ours / theirs) <= 0.02 * (ours / theirs) + 0.01, `${peer[2]} vs ${ours}/${theirs}`);
    assert.match(r.stdout, /^convlab-cpu: GEMM at LeNet-5's layer shapes [\d.,]+ GFLOP\/s$/m);
  });

  it('rejects an unknown contestant', () => {
    const r = bench(['bench', '--contestants', 'convnetjs']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown contestant 'convnetjs'/);
  });
});
