// `convlab gradcheck FILE`: compares every parameter tensor's backward-pass gradient with central
// finite differences on a small seeded batch and prints the worst relative error per tensor.
// On the CPU it uses f64 storage, where errors are ~1e-8; on WebGPU (f32) the looser f32 tolerances
// of engine/gradcheck.ts apply. Exit 1 when any tensor fails.

import { CpuBackend, gradientCheck, type GradCheckResult } from '../engine';
import { defineCommand, UsageError, type Flags, type Io } from './args';
import { backendFlag, chooseBackend, parseBackendChoice } from './backend-choice';
import { batchFlag, jsonFlag } from './common-flags';
import { reportingFailures } from './failure';
import { analyzeFile, MODEL_FILE } from './model-file';

const FLAGS = [
  backendFlag('compute backend (default cpu, in f64)'),
  batchFlag('examples in the batch (default 4)'),
  { name: 'seed', type: 'number', value: 'N', description: 'seed of weights, inputs and sample (default: the model\'s)' },
  jsonFlag('print one JSON object instead of the table'),
] as const;

export const gradcheckCommand = defineCommand({
  name: 'gradcheck',
  summary: 'Verify the gradients of a model file against finite differences.',
  details: [
    'Checks every weight and bias tensor (all elements of small ones, a seeded sample of 40 of big ones) on',
    'a batch of random inputs and labels. The CPU backend runs in f64 (tolerance 1e-5); WebGPU runs in f32',
    '(tolerance 0.2, since ε must be large there and relu/max-pool kinks bend the quotients).',
    'Exit status: 0 all tensors pass, 1 a tensor fails or the model has errors, 2 bad arguments.',
  ].join('\n'),
  positionals: [MODEL_FILE],
  flags: FLAGS,
  run({ positionals, flags }, io) {
    return reportingFailures('gradcheck', io, () => gradcheck(positionals[0], flags, io));
  },
});

async function gradcheck(file: string, flags: Flags<typeof FLAGS>, io: Io): Promise<number> {
  const { analysis } = analyzeFile(file, io, 'gradcheck');
  const batch = flags.batch ?? 4;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch must be a positive integer, not ${batch}`);
  if (flags.seed !== undefined && (!Number.isInteger(flags.seed) || flags.seed < 0)) {
    throw new UsageError(`--seed must be a non-negative integer, not ${flags.seed}`);
  }
  const choice = flags.backend === undefined ? 'cpu' : parseBackendChoice(flags.backend);
  const chosen = choice === 'cpu' ? { backend: new CpuBackend({ precision: 'f64' }), note: '' } : await chooseBackend(choice, 'f64');
  const backend = chosen.backend;
  // An f32 backend's finite differences only catch gross errors, so its analytic gradients are
  // also compared with the f64 CPU's on the same weights and batch.
  const reference = choice === 'cpu' ? undefined : new CpuBackend({ precision: 'f64' });
  try {
    if (chosen.note) io.stderr(`${chosen.note}\n`);
    const result = await gradientCheck(backend, analysis.spec, {
      batch, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(reference ? { reference } : {}),
    });
    io.stdout(flags.json ? `${JSON.stringify(toJson(result))}\n` : table(result));
    return result.passed ? 0 : 1;
  } finally {
    backend.destroy();
    reference?.destroy();
  }
}

function toJson(r: GradCheckResult) {
  return {
    backend: r.backend, precision: r.precision, epsilon: r.epsilon, tolerance: r.tolerance, batch: r.batch, loss: r.loss,
    passed: r.passed, ...(r.reference ? { reference: r.reference } : {}),
    tensors: r.tensors.map((t) => ({
      name: t.name, shape: t.shape, checked: t.checked, skipped: t.skipped, total: t.total,
      maxRelativeError: t.maxRelativeError, ...(t.referenceError !== undefined ? { referenceError: t.referenceError } : {}),
      passed: t.passed,
    })),
  };
}

function table(r: GradCheckResult): string {
  const withReference = r.reference !== undefined;
  const header = ['Tensor', 'Shape', 'Checked', 'Max rel. error', ...(withReference ? ['vs f64 cpu'] : []), ''];
  const rows = r.tensors.map((t) => [
    t.name, t.shape.join('×'), `${t.checked - t.skipped}/${t.total}${t.skipped > 0 ? ` (${t.skipped} at kinks)` : ''}`,
    t.maxRelativeError.toExponential(2), ...(withReference ? [(t.referenceError ?? NaN).toExponential(2)] : []),
    t.passed ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i < header.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ').trimEnd();
  const failed = r.tensors.filter((t) => !t.passed).length;
  return [
    `gradient check on ${r.backend}: batch ${r.batch}, ε = ${r.epsilon}, tolerance ${r.tolerance}, loss ${r.loss.toFixed(6)}`,
    ...(r.reference ? [`analytic gradients also compared with ${r.reference.backend}: max|g − g_ref| / max|g_ref| ≤ ${r.reference.tolerance}`] : []),
    line(header),
    ...rows.map(line),
    failed === 0 ? `all ${r.tensors.length} tensors pass` : `${failed} of ${r.tensors.length} tensors FAIL`,
    '',
  ].join('\n');
}
