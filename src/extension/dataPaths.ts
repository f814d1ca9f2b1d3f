// The data folders and files a model's `train` statement names, and the problem to report when one does
// not exist. The language resolves paths but never touches the disk; the editor checks them (see
// features/dataPaths.ts). Pure.
import type { DataSpec, Diagnostic, Range, Shape, SyntaxTree } from '../lang';

/** Code of the extension-side diagnostic; documented in docs/editor.md. */
export const DATA_PATH_MISSING = 'data-path-missing';

export const CIFAR10_DOWNLOAD = 'https://www.cs.toronto.edu/~kriz/cifar.html';

export interface DataPath {
  /** Absolute path (the language resolved it against the model's folder). */
  readonly path: string;
  readonly what: 'folder' | 'file';
  readonly kind: Exclude<DataSpec['kind'], 'mnist'>;
  /** The setting the path was written in, and its value's range. */
  readonly key: 'data' | 'validation';
  readonly range: Range;
}

function pathsOf(spec: DataSpec): { path: string; what: DataPath['what'] }[] {
  switch (spec.kind) {
    case 'mnist': return [];
    case 'idx':
    case 'cifar10': return [{ path: spec.dir, what: 'folder' }];
    case 'libsvm': case 'mat': return [spec.train, ...(spec.test ? [spec.test] : [])].map((path) => ({ path, what: 'file' }));
  }
}

/** Every path the `data=` and `validation=` settings name, with the range of the value that names it. */
export function dataPaths(a: {
  readonly syntax: SyntaxTree;
  readonly spec: { readonly train: { readonly data: DataSpec; readonly validation: number | DataSpec } };
}): DataPath[] {
  const train = a.syntax.statements.find((s) => s.keyword.text === 'train');
  if (!train) return [];
  const out: DataPath[] = [];
  for (const key of ['data', 'validation'] as const) {
    const spec = key === 'data' ? a.spec.train.data : a.spec.train.validation;
    if (typeof spec === 'number' || spec.kind === 'mnist') continue;
    const value = train.args.find((arg) => arg.kind === 'setting' && arg.key.text === key)?.value;
    if (!value) continue;
    for (const p of pathsOf(spec)) out.push({ ...p, kind: spec.kind, key, range: value.range });
  }
  return out;
}

const WHERE_TO_GET: Record<DataPath['kind'], string> = {
  idx: 'put the four IDX files there',
  cifar10: `CIFAR-10 is not bundled: download the binary version (cifar-10-binary.tar.gz) from ${CIFAR10_DOWNLOAD} and extract it there`,
  libsvm: 'put the LIBSVM text file there',
  mat: 'put the MATLAB .mat file (simpleNN\'s y and Z) there',
};

/**
 * The warning for a path that does not exist (training could not start; the model itself is fine), with
 * a fix to switch to the built-in digits when the input has their shape.
 */
export function missingDataDiagnostic(p: DataPath, input: Shape | null): Diagnostic {
  const isDigits = input !== null && input.length === 3 && input[0] === 1 && input[1] === 28 && input[2] === 28;
  const fixes = isDigits && p.key === 'data'
    ? [{ title: 'Use data=mnist (the built-in digits)', edits: [{ range: p.range, newText: 'mnist' }] }]
    : undefined;
  return {
    range: p.range,
    severity: 'warning',
    code: DATA_PATH_MISSING,
    message: `The ${p.what} ${p.path} does not exist: ${WHERE_TO_GET[p.kind]} (see docs/data.md).`,
    ...(fixes ? { fixes } : {}),
  };
}
