// The pytorch-cpu contestant: bench/pytorch_lenet.py under the first Python that imports torch
// (`python3`, then /usr/bin/python3), on as many threads as ConvLab's CPU engine (torch.set_num_threads),
// on the same batches (written to a temp folder).
// Without such a Python the contestant is skipped with a note.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Contestant } from './contestant';
import { spreadOf } from './measure';
import { batchOf } from './workloads';

const PYTHONS = ['python3', '/usr/bin/python3'];
const SCRIPT = join('bench', 'pytorch_lenet.py');

function pythonWithTorch(): string {
  const found = PYTHONS.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0);
  if (!found) throw new Error(`no Python with torch found (tried ${PYTHONS.join(', ')})`);
  return found;
}

/** bench/pytorch_lenet.py in the repository holding this bundle (dist/, out/test/…). */
function scriptPath(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SCRIPT))) return join(dir, SCRIPT);
    if (dirname(dir) === dir) throw new Error(`${SCRIPT} not found above ${__dirname}`);
  }
}

interface ScriptResult { train: number[]; infer: number[]; losses: number[]; torch: string }

export const pytorchCpu: Contestant = {
  name: 'pytorch-cpu',
  async measure(w, data, plan, cpuThreads) {
    const python = pythonWithTorch();
    const dir = mkdtempSync(join(tmpdir(), 'convlab-bench-'));
    try {
      const batches = Array.from({ length: plan.steps }, (_, b) => batchOf(data, w.batch, b));
      const images = join(dir, 'images.f32'), labels = join(dir, 'labels.u8');
      writeFileSync(images, Buffer.concat(batches.map((b) => Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength))));
      writeFileSync(labels, Buffer.concat(batches.map((b) => Buffer.from(b.labels))));
      const args = {
        workload: w.name, shape: w.shape, batch: w.batch, steps: plan.steps, warmup: plan.warmup, reps: plan.reps,
        lr: w.lr, momentum: w.momentum, infer_batch: w.inferBatch, images, labels, threads: cpuThreads,
      };
      const { stdout } = await promisify(execFile)(python, [scriptPath(), JSON.stringify(args)], { maxBuffer: 1 << 20 });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as ScriptResult;
      return {
        measurements: [
          { contestant: 'pytorch-cpu', workload: w.name, metric: 'train_images_per_s', spread: spreadOf(result.train) },
          { contestant: 'pytorch-cpu', workload: w.name, metric: 'infer_images_per_s', spread: spreadOf(result.infer) },
        ],
        loss: { first: result.losses[0], last: result.losses[result.losses.length - 1] },
        note: `torch ${result.torch}, ${cpuThreads} thread${cpuThreads === 1 ? '' : 's'} (${python})`,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
