// `convlab check FILE [--json]`: shape-check a model file and print a Keras-style summary plus the
// diagnostics, or one JSON object. Exit 1 when there are errors, 2 when the file cannot be read.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { formatCount, formatShape, plural, type Analysis, type Diagnostic, type LayerInfo } from '../lang';
import { defineCommand, type Io } from './args';
import { jsonFlag } from './common-flags';
import { analyzeModelText, displayPath, unreadable } from './model-file';

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'Check a model file: shapes, parameters and FLOPs per layer, and every diagnostic.',
  details: 'FILE may be - for standard input. Exit status: 0 no errors, 1 errors found, 2 unreadable file or bad arguments.',
  positionals: [{ name: 'FILE', description: 'the .cnn model file (or - for standard input)' }],
  flags: [jsonFlag('print one JSON object (layers, diagnostics, totalParams) instead of the table')],
  run({ positionals, flags }, io) {
    const file = positionals[0];
    const source = readSource(file, io);
    if (source === null) return 2;
    const path = file === '-' ? '<stdin>' : displayPath(file, io.cwd);
    const baseDir = file === '-' ? io.cwd : dirname(resolve(io.cwd, file));
    const analysis = analyzeModelText(source, file, { baseDir, homeDir: homedir() });
    io.stdout(flags.json ? `${JSON.stringify(toJson(analysis))}\n` : humanReport(analysis, path));
    return analysis.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
});

function readSource(file: string, io: Io): string | null {
  try {
    return readFileSync(file === '-' ? 0 : resolve(io.cwd, file), 'utf8');
  } catch (err) {
    io.stderr(`convlab check: cannot read ${file}: ${unreadable(err)}\n`);
    return null;
  }
}

// ---- JSON -------------------------------------------------------------------------------------

export interface CheckJson {
  readonly layers: readonly { line: number; kind: string; output: readonly number[] | null; params: number; flops: number }[];
  readonly diagnostics: readonly {
    line: number; column: number; endLine: number; endColumn: number;
    severity: Diagnostic['severity']; code: string; message: string;
  }[];
  readonly totalParams: number;
}

function toJson(a: Analysis): CheckJson {
  return {
    layers: a.layers.map((l) => ({ line: l.layer.line + 1, kind: l.layer.kind, output: l.output, params: l.params, flops: l.flops })),
    diagnostics: a.diagnostics.map((d) => ({
      line: d.range.start.line + 1, column: d.range.start.character + 1,
      endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
      severity: d.severity, code: d.code, message: d.message,
    })),
    totalParams: a.totalParams,
  };
}

// ---- human ------------------------------------------------------------------------------------

function humanReport(a: Analysis, path: string): string {
  const out = [`Model: ${path}`, ...summaryTable(a), ''];
  for (const d of a.diagnostics) {
    out.push(`${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`);
  }
  const count = (s: Diagnostic['severity']) => a.diagnostics.filter((d) => d.severity === s).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  out.push(errors + warnings + infos === 0 ? 'No problems found.' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'note')}.`);
  return `${out.join('\n')}\n`;
}

function summaryTable(a: Analysis): string[] {
  const header = ['Layer (line)', 'Output shape', 'Params', 'FLOPs'];
  const known = (l: LayerInfo) => l.input.length > 0 && l.output !== null;
  const rows: string[][] = [];
  if (a.spec.input) rows.push([`input`, formatShape(a.spec.input), '0', '0']);
  for (const l of a.layers) {
    rows.push([
      `${l.layer.kind} (${l.layer.line + 1})`,
      formatShape(l.output),
      known(l) || l.params > 0 ? formatCount(l.params) : '?',
      known(l) ? formatCount(l.flops) : '?',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((s, w) => s + w, 0) + 3 * (widths.length - 1));
  const flops = a.layers.reduce((s, l) => s + l.flops, 0);
  const unknown = a.layers.some((l) => !known(l)) || !a.spec.input;
  return [
    rule('─'),
    line(header),
    rule('═'),
    ...rows.map(line),
    rule('─'),
    `Total params: ${formatCount(a.totalParams)}${unknown ? ' (layers with unknown shapes not counted)' : ''}`,
    `Forward FLOPs per example: ${formatCount(flops)}`,
    `Output: ${formatShape(a.outputShape)}${a.classes !== null ? ` (${a.classes} classes in ${a.spec.train.data.kind})` : ''}`,
  ];
}
