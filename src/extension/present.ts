// How analysis results read in the editor: hint labels, status-bar text, which fixes apply where.
// Pure (no `vscode` import): these functions take and return plain data, so they are unit-tested
// under mocha; `vs.ts` turns their results into VS Code objects.
import { formatCount, formatSI, formatShape } from '../lang/format';
import type { Diagnostic, Fix, LayerInfo, Position, Range, Shape } from '../lang/spec';
import { comparePositions } from '../lang/text';

/** '156 params', '1 param', '61,706 params'. */
export function countOf(n: number, word: string): string {
  return `${formatCount(n)} ${n === 1 ? word : `${word}s`}`;
}

/** '784 FLOPs', '235 kFLOPs', '1.22 MFLOPs'. */
export function flopsText(n: number): string {
  const si = formatSI(n);
  return si.includes(' ') ? `${si}FLOPs` : `${si} FLOPs`;
}

export interface HintOptions { readonly showParams: boolean; readonly showFlops: boolean }

/** '→ 6×28×28 · 156 params · 235 kFLOPs'; null when the output shape is unknown (error upstream). */
export function hintLabel(info: LayerInfo, opts: HintOptions): string | null {
  if (!info.output) return null;
  const parts = [`→ ${formatShape(info.output)}`];
  if (opts.showParams && info.params > 0) parts.push(countOf(info.params, 'param'));
  if (opts.showFlops && info.flops > 0) parts.push(flopsText(info.flops));
  return parts.join(' · ');
}

export interface HintData {
  /** Right after the layer's statement, before any trailing comment, so it stays in view. */
  readonly position: Position;
  readonly label: string;
  readonly layerIndex: number;
  /** Text (a comment) follows the hint on its line: keep a gap after it. */
  readonly paddingRight: boolean;
}

/**
 * One hint per layer whose output shape is known and whose line lies in `[fromLine, toLine]`.
 * `lineLength(line)` gives the length of a document line.
 */
export function layerHints(
  layers: readonly LayerInfo[], opts: HintOptions, lineLength: (line: number) => number,
  fromLine = 0, toLine = Number.MAX_SAFE_INTEGER,
): HintData[] {
  const out: HintData[] = [];
  for (const info of layers) {
    const { end } = info.layer.range;
    if (end.line < fromLine || end.line > toLine) continue;
    const label = hintLabel(info, opts);
    if (label === null) continue;
    out.push({ position: end, label, layerIndex: info.index, paddingRight: lineLength(end.line) > end.character });
  }
  return out;
}

export interface StatusData {
  /** Status-bar text with codicons, e.g. '$(symbol-array) 61,706 params → 10'. */
  readonly text: string;
  readonly tooltip: string;
  readonly kind: 'ok' | 'warning' | 'error';
}

/** The status-bar summary of one model. */
export function statusData(a: {
  readonly diagnostics: readonly Diagnostic[];
  readonly totalParams: number;
  readonly outputShape: Shape | null;
}): StatusData {
  const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = a.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors > 0) {
    return {
      text: `$(error) ${countOf(errors, 'error')}`,
      tooltip: `ConvLab: the model has ${countOf(errors, 'error')}${warnings ? ` and ${countOf(warnings, 'warning')}` : ''}. Click to show the Problems panel.`,
      kind: 'error',
    };
  }
  const shape = a.outputShape ? formatShape(a.outputShape) : '?';
  const params = countOf(a.totalParams, 'param');
  return {
    text: `$(symbol-array) ${params} → ${shape}${warnings ? `  $(warning) ${warnings}` : ''}`,
    tooltip: `ConvLab: ${params}, output ${shape}${warnings ? `, ${countOf(warnings, 'warning')}` : ''}. Click to show the Problems panel.`,
    kind: warnings ? 'warning' : 'ok',
  };
}

/** True when two half-open ranges share a position, or touch (an empty cursor range at either end counts). */
export function rangesTouch(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

export interface QuickFixData {
  readonly fix: Fix;
  readonly diagnostic: Diagnostic;
  /** The language lists a diagnostic's fixes best first: the first is the one to apply blindly. */
  readonly isPreferred: boolean;
}

/** The fixes of the diagnostics that touch `range`, in diagnostic order, best fix first. */
export function quickFixesAt(diagnostics: readonly Diagnostic[], range: Range): QuickFixData[] {
  const out: QuickFixData[] = [];
  for (const d of diagnostics) {
    if (!d.fixes?.length || !rangesTouch(d.range, range)) continue;
    d.fixes.forEach((fix, i) => out.push({ fix, diagnostic: d, isPreferred: i === 0 }));
  }
  return out;
}
