// The checkpoint metadata a run needs to continue exactly mid-epoch (`resume`) and the figures a
// checkpoint list shows (`metrics`). Both are optional JSON strings in `__metadata__`, so
// checkpoints written before them stay readable. Pure: runs in Node and the webview.

/** Where a run stood and what it ran with, beyond the epoch and step counts. */
export interface ResumePoint {
  /** The optimizer's own step count (Adam's t); it restarts at 0 when the optimizer state does. */
  readonly optimizerStep: number;
  readonly batch: number;
  /** Fraction of the training split held out for validation. */
  readonly validation: number;
  readonly dataName: string;
  /** Σ loss, correct count and n of the unfinished epoch's reported steps. */
  readonly epochTotals: readonly [number, number, number];
  /** Steps after the last report and their device-accumulated sums. */
  readonly unreported: { readonly steps: number; readonly sums: readonly [number, number, number] };
}

/** The latest figures of the run, for listing checkpoints; any may be missing. */
export interface CheckpointMetrics {
  readonly loss?: number;
  readonly accuracy?: number;
  readonly testAccuracy?: number;
}

type Fail = (problem: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTriple = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks a resume point before it is written (JSON cannot hold NaN or ∞). */
export function encodeResumePoint(r: ResumePoint, fail: Fail): string {
  checkResumePoint(r, fail);
  return JSON.stringify(r);
}

/** Parses `__metadata__.resume`; `raw` undefined (an older checkpoint) gives undefined. */
export function decodeResumePoint(raw: string | undefined, fail: Fail): ResumePoint | undefined {
  if (raw === undefined) return undefined;
  return checkResumePoint(parse(raw, 'resume', fail), fail);
}

function checkResumePoint(o: unknown, fail: Fail): ResumePoint {
  const bad = (what: string): never => fail(`__metadata__.resume.${what}`);
  if (!isObject(o)) return fail('__metadata__.resume is not a JSON object');
  if (!isWhole(o.optimizerStep)) bad(`optimizerStep is ${JSON.stringify(o.optimizerStep)}, expected a whole number`);
  if (!isWhole(o.batch) || o.batch < 1) bad(`batch is ${JSON.stringify(o.batch)}, expected a positive whole number`);
  if (typeof o.validation !== 'number' || !(o.validation >= 0 && o.validation < 1)) bad(`validation is ${JSON.stringify(o.validation)}, expected a fraction in [0, 1)`);
  if (typeof o.dataName !== 'string') bad('dataName is not a string');
  if (!isTriple(o.epochTotals)) bad(`epochTotals is ${JSON.stringify(o.epochTotals)}, expected three finite numbers`);
  const u = o.unreported;
  if (!isObject(u) || !isWhole(u.steps) || !isTriple(u.sums)) bad(`unreported is ${JSON.stringify(u)}, expected {steps, sums: [3 finite numbers]}`);
  const unreported = u as { steps: number; sums: [number, number, number] };
  return {
    optimizerStep: o.optimizerStep as number, batch: o.batch as number, validation: o.validation as number, dataName: o.dataName as string,
    epochTotals: [...(o.epochTotals as [number, number, number])], unreported: { steps: unreported.steps, sums: [...unreported.sums] },
  };
}

/** Writes only the finite figures. */
export function encodeMetrics(m: CheckpointMetrics): string {
  return JSON.stringify(Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))));
}

/** Parses `__metadata__.metrics`, keeping the known numeric figures. */
export function decodeMetrics(raw: string | undefined, fail: Fail): CheckpointMetrics | undefined {
  if (raw === undefined) return undefined;
  const o = parse(raw, 'metrics', fail);
  if (!isObject(o)) return fail('__metadata__.metrics is not a JSON object');
  const out: Record<string, number> = {};
  for (const key of ['loss', 'accuracy', 'testAccuracy'] as const) if (typeof o[key] === 'number') out[key] = o[key] as number;
  return out;
}

function parse(raw: string, key: string, fail: Fail): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return fail(`__metadata__.${key} is not valid JSON`);
  }
}
