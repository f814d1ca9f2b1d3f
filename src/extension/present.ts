// How analysis results read in the editor: hint labels, status-bar text, which fixes apply where.
// Pure (no `vscode` import): these functions take and return plain data, so they are unit-tested
// under mocha; `vs.ts` turns their results into VS Code objects.
import {
  comparePositions, formatCount, formatSI, formatShape, type Diagnostic, type Fix, type LayerInfo, type Position, type Range, type Severity, type Shape,
} from '../lang';

/** '156 params', '1 param', '61,706 params'. */
export function countOf(n: number, word: string): string {
  return `${formatCount(n)} ${n === 1 ? word : `${word}s`}`;
}

/** '784 FLOPs', '235 kFLOPs', '1.22 MFLOPs'. */
export function flopsText(n: number): string {
  const si = formatSI(n);
  return si.includes(' ') ? `${si}FLOPs` : `${si} FLOPs`;
}

export interface HintOptions {
  readonly showParams: boolean;
  readonly showFlops: boolean;
  /**
   * Where a hint goes: at the end of its line (a `.cnn` statement per line), or right after the
   * layer's own text (a simpleNN `.config`, whose vector entries name one layer each; layers that
   * share an entry, as a conv and its ReLU do, get one hint: the last one's).
   */
  readonly placement?: 'line-end' | 'entry';
}

/**
 * How a hint's first sign says how sure it is. VS Code cannot dim a single inlay hint, so a shape that is
 * only a guess (provisional: an unreadable line was read a certain way) or left over from the last good
 * analysis (stale: a shape error upstream makes it unknown now) reads `≈` instead of the arrow (a dashed
 * arrow, `⇢`, looks like a solid one at hint size).
 */
export const HINT_ARROW = { sure: '→', tentative: '≈' } as const;

/**
 * '→ 6×28×28 · 156 params · 235 kFLOPs', '≈ …' when provisional or `stale`; null when the output shape is
 * unknown (error upstream).
 */
export function hintLabel(info: LayerInfo, opts: HintOptions, stale = false): string | null {
  if (!info.output) return null;
  const arrow = stale || info.provisional ? HINT_ARROW.tentative : HINT_ARROW.sure;
  const parts = [`${arrow} ${formatShape(info.output)}`];
  if (opts.showParams && info.params > 0) parts.push(countOf(info.params, 'param'));
  if (opts.showFlops && info.flops > 0) parts.push(flopsText(info.flops));
  return parts.join(' · ');
}

/**
 * Where a layer's hint goes: at the end of its line, after any trailing comment, so the comment keeps its
 * place and stays in view (a hint between statement and comment pushes the comment right, and moves it
 * whenever the hint changes length or comes and goes while typing).
 */
export function hintPosition(statementEnd: Position, lineLength: number): Position {
  return { line: statementEnd.line, character: Math.max(statementEnd.character, lineLength) };
}

export interface HintData {
  readonly position: Position;
  readonly label: string;
  readonly layerIndex: number;
  /** The figures the label shows: the layer's own, or its last known ones when stale. */
  readonly shown: LayerInfo;
  /** Markdown saying why the shape is tentative (tooltip); absent for a sure shape. */
  readonly note?: string;
}

/**
 * One hint per layer whose line lies in `[fromLine, toLine]` and whose output shape is known, or, when it
 * is unknown, whose last known figures `lastKnown` (by current layer index) still has.
 * `lineLength(line)` gives the length of a document line.
 */
export function layerHints(
  layers: readonly LayerInfo[], opts: HintOptions, lineLength: (line: number) => number,
  fromLine = 0, toLine = Number.MAX_SAFE_INTEGER, lastKnown: ReadonlyMap<number, LayerInfo> = new Map(),
): HintData[] {
  const brokenLine = layers.find((l) => !l.output)?.layer.line;
  const out: HintData[] = [];
  const atEntry = opts.placement === 'entry';
  for (const [i, info] of layers.entries()) {
    const { end } = info.layer.range;
    if (end.line < fromLine || end.line > toLine) continue;
    if (atEntry && i + 1 < layers.length && sameRange(layers[i + 1]!.layer.range, info.layer.range)) continue;
    const old = info.output ? undefined : lastKnown.get(info.index);
    const shown = old ?? info;
    const label = hintLabel(shown, opts, old !== undefined);
    if (label === null) continue;
    const note = old
      ? `*Last known shape*: line ${(brokenLine ?? info.layer.line) + 1} has a shape error, so this is the shape before it.`
      : info.provisional && `*Provisional*: ${info.provisional.reason}.`;
    out.push({
      position: atEntry ? end : hintPosition(end, lineLength(end.line)), label, layerIndex: info.index, shown, ...(note ? { note } : {}),
    });
  }
  return out;
}

function sameRange(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.start) === 0 && comparePositions(a.end, b.end) === 0;
}

export interface StatusData {
  /** Status-bar text with codicons, e.g. '$(symbol-array) 61,706 params → 10'. */
  readonly text: string;
  /** What a screen reader says: the text without codicon names. */
  readonly ariaLabel: string;
  readonly tooltip: string;
  readonly kind: 'ok' | 'warning' | 'error';
  /** What a click shows: this file's problems, or (with none) the model's outline as its summary. */
  readonly click: 'problems' | 'outline';
}

/** The status-bar summary of one model. */
export function statusData(a: {
  readonly diagnostics: readonly { readonly severity: Severity }[];
  readonly totalParams: number;
  readonly outputShape: Shape | null;
}): StatusData {
  const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = a.diagnostics.filter((d) => d.severity === 'warning').length;
  const warningText = warnings ? `  $(warning) ${warnings}` : '';
  const warningWords = warnings ? countOf(warnings, 'warning') : '';
  const click = errors || warnings ? 'problems' : 'outline';
  const hint = click === 'problems' ? 'Click to show its problems.' : 'Click to show the model outline.';
  if (errors > 0) {
    const words = `${countOf(errors, 'error')}${warnings ? ` and ${warningWords}` : ''}`;
    return {
      text: `$(error) ${countOf(errors, 'error')}${warningText}`,
      ariaLabel: `ConvLab model: ${words}`,
      tooltip: `ConvLab: the model has ${words}. ${hint}`,
      kind: 'error',
      click,
    };
  }
  const shape = a.outputShape ? formatShape(a.outputShape) : '?';
  const params = countOf(a.totalParams, 'param');
  const summary = `${params}, output ${shape}${warnings ? `, ${warningWords}` : ''}`;
  return {
    text: `$(symbol-array) ${params} → ${shape}${warningText}`,
    ariaLabel: `ConvLab model: ${summary}`,
    tooltip: `ConvLab: ${summary}. ${hint}`,
    kind: warnings ? 'warning' : 'ok',
    click,
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
