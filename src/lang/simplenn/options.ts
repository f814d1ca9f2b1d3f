// simpleNN's option string (the `options` argument of MATLAB/cnn_train.m, e.g. '-s 2 -lr 0.01
// -bsize 128') as ConvLab `train` settings. Names, meanings and defaults follow cnn_train.m's
// `parameter` and `parse_options`: pairs of `-name value`, values read as numbers (str2num, so
// `2/3` is allowed). simpleNN's defaults are filled in for the chosen solver, so a simpleNN run
// converts to the same settings, not to ConvLab's defaults.

export interface SimpleNNSetting {
  /** The `train` key it sets. */
  readonly key: string;
  readonly value: string;
}

export interface SimpleNNOptions {
  readonly settings: readonly SimpleNNSetting[];
  /** What was adapted or ignored, one sentence each. */
  readonly notes: readonly string[];
  /** The settings as written on a `train` line: `optimizer=sgd C=0.01 …`. */
  readonly trainText: string;
}

export class SimpleNNOptionError extends Error {}

type Solver = 'newton' | 'sgd' | 'adam';

/** `-s`: 1 Newton (simpleNN's default), 2 stochastic gradient with momentum, 3 Adam (train.m). */
const SOLVERS: Readonly<Record<number, Solver>> = { 1: 'newton', 2: 'sgd', 3: 'adam' };

interface OptionInfo {
  /** The train key it becomes; null when ConvLab has no such setting (noted and ignored). */
  readonly key: string | null;
  readonly integer?: boolean;
  readonly min?: number;
  /** For the ignored ones: why. */
  readonly why?: string;
}

const OPTIONS: Readonly<Record<string, OptionInfo>> = {
  '-s': { key: 'optimizer', integer: true },
  '-C': { key: 'C', min: 0 },
  '-bsize': { key: 'batch', integer: true, min: 1 },
  '-lr': { key: 'lr', min: 0 },
  '-decay': { key: 'decay', min: 0 },
  '-momentum': { key: 'momentum', min: 0 },
  '-GNsize': { key: 'GNsize', integer: true, min: 1 },
  '-iter_max': { key: 'epochs', integer: true, min: 1 },
  '-epoch_max': { key: 'epochs', integer: true, min: 1 },
  '-xi': { key: 'xi', min: 0 },
  '-CGmax': { key: 'CGmax', integer: true, min: 1 },
  '-lambda': { key: 'lambda', min: 0 },
  '-drop': { key: 'drop', min: 0 },
  '-boost': { key: 'boost', min: 0 },
  '-eta': { key: 'eta', min: 0 },
  // simpleNN takes the seed as cnn_train's own argument; ConvLab accepts it as an option too.
  '-seed': { key: 'seed', integer: true, min: 0 },
  '-Jacobian': { key: null, why: 'ConvLab never stores the Jacobian; Gauss-Newton products use Jacobian-vector products' },
  '-ftype': { key: null, why: 'ConvLab trains in single precision (float32)' },
  '-gpu_use': { key: null, why: 'choose the backend with `--backend` instead' },
};

/** simpleNN's defaults (cnn_train.m) for the keys each solver reads. */
const DEFAULTS: Readonly<Record<Solver, readonly SimpleNNSetting[]>> = {
  newton: [
    { key: 'C', value: '0.01' }, { key: 'batch', value: '128' }, { key: 'epochs', value: '100' }, { key: 'xi', value: '0.1' },
    { key: 'CGmax', value: '250' }, { key: 'lambda', value: '1' }, { key: 'drop', value: String(2 / 3) }, { key: 'boost', value: String(3 / 2) },
    { key: 'eta', value: '0.0001' },
  ],
  sgd: [
    { key: 'batch', value: '128' }, { key: 'epochs', value: '500' },
    { key: 'lr', value: '0.01' }, { key: 'decay', value: '0' }, { key: 'momentum', value: '0' },
  ],
  // opt/adam.m: a fixed step alpha = 1e-3, and -iter_max passes.
  adam: [{ key: 'batch', value: '128' }, { key: 'epochs', value: '100' }, { key: 'lr', value: '0.001' }],
};

/** Keys only Newton's method reads; given with another solver they are noted and dropped. */
const NEWTON_ONLY = new Set(['C', 'GNsize', 'xi', 'CGmax', 'lambda', 'drop', 'boost', 'eta']);
const SGD_ONLY = new Set(['momentum']);

/** Parses a simpleNN option string; throws SimpleNNOptionError naming the offending option. */
export function simpleNNOptions(text: string): SimpleNNOptions {
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (words.length % 2 === 1) {
    throw new SimpleNNOptionError(`simpleNN options come in pairs \`-name value\`; \`${words[words.length - 1]}\` has no value`);
  }
  const given = new Map<string, { option: string; value: number }>();
  const notes: string[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const [option, written] = [words[i], words[i + 1]];
    const info = OPTIONS[option];
    if (!info) throw new SimpleNNOptionError(unknownOption(option));
    const value = numberOf(written);
    if (value === null) throw new SimpleNNOptionError(`${option}: \`${written}\` is not a number`);
    if (info.integer && !Number.isInteger(value)) throw new SimpleNNOptionError(`${option}: ${written} is not a whole number`);
    if (option === '-C' && value <= 0) throw new SimpleNNOptionError(`-C: ${written} must be above 0 (the regularisation is ‖w‖²/(2C·l))`);
    if (info.min !== undefined && value < info.min) throw new SimpleNNOptionError(`${option}: ${written} is below ${info.min}`);
    if (info.key === null) {
      notes.push(`${option} is ignored: ${info.why}`);
      continue;
    }
    given.set(option, { option, value });
  }
  const s = given.get('-s')?.value ?? 1;
  const solver = SOLVERS[s];
  if (!solver) throw new SimpleNNOptionError(`-s: ${s} is not a simpleNN solver; use 1 (Newton), 2 (stochastic gradient with momentum) or 3 (Adam)`);

  const settings = new Map<string, string>([['optimizer', solver]]);
  for (const d of DEFAULTS[solver]) settings.set(d.key, d.value);
  const epochsFrom = solver === 'sgd' ? '-epoch_max' : '-iter_max';
  for (const { option, value } of given.values()) {
    const key = OPTIONS[option].key!;
    if (option === '-s') continue;
    if (key === 'epochs' && option !== epochsFrom) {
      notes.push(`${option} is ignored: simpleNN's ${solver === 'newton' ? 'Newton' : solver} solver counts its passes with ${epochsFrom}`);
      continue;
    }
    if (key === 'C' && solver !== 'newton') {
      notes.push(`-C is not carried over: ConvLab's C is Newton's; for the same penalty simpleNN's ${solver} applies, write weight_decay=1/(C·l) with l the number of training examples`);
      continue;
    }
    if (solver !== 'newton' && NEWTON_ONLY.has(key) || solver !== 'sgd' && SGD_ONLY.has(key)) {
      notes.push(`${option} is ignored: only ${NEWTON_ONLY.has(key) ? 'Newton\'s method (-s 1)' : 'stochastic gradient (-s 2)'} uses it`);
      continue;
    }
    settings.set(key, String(value));
  }
  if (solver === 'newton') {
    notes.push('epochs is simpleNN\'s -iter_max: each Newton iteration is one pass over the training set');
    if (!given.has('-GNsize')) notes.push('GNsize is left at its default, 5 % of the training examples, as in simpleNN');
  }
  if (!given.has('-bsize') && solver === 'newton') notes.push('batch 128 is simpleNN\'s GPU default; on the CPU simpleNN\'s Newton uses 1024');
  const list = [...settings].map(([key, value]) => ({ key, value }));
  return { settings: list, notes, trainText: list.map((x) => `${x.key}=${x.value}`).join(' ') };
}

/** A number as str2num reads the simple cases: a literal, or a fraction of two (`2/3`). */
function numberOf(text: string): number | null {
  const literal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  if (literal.test(text)) return Number(text);
  const fraction = /^([^/]+)\/([^/]+)$/.exec(text);
  if (fraction && literal.test(fraction[1]) && literal.test(fraction[2]) && Number(fraction[2]) !== 0) return Number(fraction[1]) / Number(fraction[2]);
  return null;
}

function unknownOption(option: string): string {
  if (option === '-SR') return '-SR (the sampling rate of older simpleNN versions) is not supported; give the Gauss-Newton subsample size with -GNsize';
  const known = Object.keys(OPTIONS).join(' ');
  return `${option} is not a simpleNN option; the options are ${known}`;
}
