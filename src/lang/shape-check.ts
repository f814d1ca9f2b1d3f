// Runs shape inference down the layer list and turns shape problems into diagnostics with the
// arithmetic, the layer that produced the offending input, and fixes. Past an unreadable line (an
// unknown statement, or a layer whose arguments could not all be read) shapes keep flowing on a
// stated assumption and are marked provisional, with no further shape diagnostics, so one mistake
// never cascades into a page of errors and no shape vanishes while a line is being typed. Once a
// shape is unknowable (a shape error) later layers get no output.

import { layerDefinition } from '../layers/index';
import { formatShape, plural } from './format';
import type { LayerEntry } from './model';
import type { AxisArithmetic, ShapeProblem } from './shapes';
import { arithmeticText, axisArithmetic } from './shapes';
import type { Diagnostic, Fix, LayerInfo, Shape, TextEdit } from './spec';
import type { Statement } from './syntax';
import { deleteLines, indentation, insert, pos, replace, where } from './text';

export interface ShapeResult {
  readonly infos: readonly LayerInfo[];
  readonly diagnostics: readonly Diagnostic[];
}

type MutableLayerInfo = { -readonly [K in keyof LayerInfo]: LayerInfo[K] };

export function checkShapes(layers: readonly LayerEntry[], input: Shape | null, inputStatement: Statement | null,
  lines: readonly string[]): ShapeResult {
  const infos: LayerInfo[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: Shape | null = input;
  // What produced the current shape: the `input` statement or the previous layer.
  let producer: Statement | null = inputStatement;
  // The first line whose reading is a guess; every shape after it is provisional.
  let provisional: LayerInfo['provisional'];

  for (let index = 0; index < layers.length; index++) {
    const entry = layers[index];
    const layer = entry.spec;
    if (entry.afterUnknown && !provisional) {
      provisional = { line: entry.afterUnknown.firstLine, reason: `assuming line ${entry.afterUnknown.firstLine + 1} (\`${entry.afterUnknown.keyword.text}\`) is skipped` };
    }
    if (entry.broken && !provisional) {
      provisional = { line: entry.statement.firstLine, reason: `assuming defaults for the unreadable arguments on line ${entry.statement.firstLine + 1}` };
    }
    if (current === null) {
      infos.push({ index, layer, input: [], output: null, params: 0, flops: 0, activationBytes: 0 });
      continue;
    }
    const shape = layerDefinition(layer.kind).infer(layer, current);
    const info: MutableLayerInfo = {
      index, layer, input: current, output: shape.output, params: shape.params, flops: shape.flops, activationBytes: shape.activationBytes,
    };
    if (shape.im2colReplication !== undefined) info.im2colReplication = shape.im2colReplication;
    if (shape.formula !== undefined) info.formula = shape.formula;
    if (provisional && shape.output) info.provisional = provisional;
    else if (shape.problem) diagnostics.push(shapeDiagnostic(shape.problem, entry, current, producer, lines));
    infos.push(info);
    current = info.output;
    producer = entry.statement;
  }
  return { infos, diagnostics };
}

function shapeDiagnostic(problem: ShapeProblem, entry: LayerEntry, input: Shape, producer: Statement | null, lines: readonly string[]): Diagnostic {
  const statement = entry.statement;
  const related = producer ? [{ range: producer.range, message: `${where(producer)} produces the ${formatShape(input)} input` }] : undefined;
  const base = { range: statement.keyword.range, ...(related && { related }) };
  switch (problem.kind) {
    case 'needs-feature-map':
      return {
        ...base, severity: 'error', code: 'needs-feature-map',
        message: `${where(statement)}: needs a C×H×W feature map, but its input is a vector of ${input[0]} values; put it before \`flatten\``,
      };
    case 'needs-vector':
      return {
        ...base, severity: 'error', code: 'dense-needs-flatten',
        message: `${where(statement)}: \`dense\` needs a vector, but its input is ${formatShape(input)}; insert \`flatten\` before it (${input.join('·')} = ${input.reduce((a, b) => a * b, 1)} values)`,
        fixes: [{ title: 'Insert `flatten` before this layer', edits: [insert(pos(statement.firstLine, 0), `${indentation(lines[statement.firstLine])}flatten\n`)] }],
      };
    case 'redundant-flatten':
      return {
        ...base, severity: 'warning', code: 'redundant-flatten',
        message: `${where(statement)}: the input is already a vector of ${input[0]} values, so \`flatten\` does nothing`,
        fixes: [{ title: 'Delete this `flatten`', edits: [deleteLines(lines, statement.firstLine, statement.lastLine)] }],
      };
    case 'window-too-large':
      return { ...base, severity: 'error', code: 'window-too-large', ...windowTooLarge(entry, input, problem.axes) };
    case 'not-integral':
      return { ...base, severity: 'warning', ...notIntegral(entry, input, problem.axes) };
  }
}

// ---- window larger than the input -----------------------------------------------------------

function windowTooLarge(entry: LayerEntry, input: Shape, axes: readonly AxisArithmetic[]): { message: string; fixes: Fix[] } {
  const bad = axes.filter((a) => a.output < 1);
  const text = (a: AxisArithmetic) => `${arithmeticText(a)}${Number.isInteger(a.exact) ? '' : `, rounded down to ${a.output}`}`;
  const [first, second] = bad.map(text);
  const arithmetic = second === undefined ? `output ${bad[0].axis} ${first}`
    : first === second ? `output height and width ${first}` : `output height ${first}; output width ${second}`;
  const [, h, w] = input;
  const window = formatShape(axes.map((a) => a.window));
  // A padded window is a conv kernel: more padding makes it fit. Pooling has no padding: pool the whole map.
  if (axes[0].padded) {
    const padded = axes.map((a) => a.size + 2 * a.pad).join('×');
    // A smaller kernel first: padding a map far beyond its size is rarely what was meant.
    const kernel = axes.map((a) => (a.output >= 1 ? a.window : kernelThatFits(a)));
    const withKernel = axes.map((a, i) => axisArithmetic(a.axis, a.size, a.pad, kernel[i], a.stride, true).output);
    const pad = axes.map((a) => (a.output >= 1 ? a.pad : leastPadThatFits(a)));
    const withPad = axes.map((a, i) => axisArithmetic(a.axis, a.size, pad[i], a.window, a.stride, true).output);
    return {
      message: `${where(entry.statement)}: kernel ${window} is larger than the padded input ${padded}, so there is no output: ${arithmetic}`,
      fixes: [
        setParamFix(entry, 'kernel', pairText(kernel), `output ${withKernel.join('×')}`),
        setParamFix(entry, 'pad', pairText(pad), `output ${withPad.join('×')}`),
      ],
    };
  }
  return {
    message: `${where(entry.statement)}: the ${window} window is larger than the ${h}×${w} input, so there is no output: ${arithmetic}`,
    fixes: [setParamFix(entry, 'window', pairText([h, w]), 'pools the whole map')],
  };
}

/** The largest of the usual kernel sizes (7, 5, 3) that fits the padded axis, else the axis itself. */
function kernelThatFits(a: AxisArithmetic): number {
  const room = a.size + 2 * a.pad;
  return [7, 5, 3].find((k) => k < a.window && k <= room) ?? room;
}

/** The least padding that lets the window fit, preferring one that also makes the output integral. */
function leastPadThatFits(a: AxisArithmetic): number {
  const least = Math.ceil((a.window - a.size) / 2);
  // Parity can rule out every integral choice (even stride, odd span), so look only one stride ahead.
  for (let pad = least; pad < least + a.stride; pad++) if ((a.size + 2 * pad - a.window) % a.stride === 0) return pad;
  return least;
}

// ---- fractional output ----------------------------------------------------------------------

/** A change of one parameter that makes every axis integral. */
interface Proposal {
  readonly param: 'pad' | 'stride' | 'window';
  readonly value: readonly [number, number];
  readonly output: readonly [number, number];
  /** Pooling without a written stride: the new window keeps today's stride, so it is written too. */
  readonly keepStride?: readonly [number, number];
}

function notIntegral(entry: LayerEntry, input: Shape, all: readonly AxisArithmetic[]): { code: string; message: string; fixes?: Fix[] } {
  const bad = all.filter((a) => a.dropped > 0);
  // A padded window is a conv kernel (fix the padding or stride); otherwise a pooling window.
  const isConv = all[0].padded;
  // Ranked by what a person most likely meant. A stride longer than the window is never offered:
  // it skips inputs, which is worse than the rows it would save.
  const proposals = isConv
    ? [propose(all, 'pad', padCandidate), propose(all, 'stride', strideCandidate)]
    : entry.written.has('stride')
      ? [propose(all, 'window', windowCandidate), propose(all, 'stride', strideCandidate)]
      // The stride follows the window when not written: a new window must divide the input; when
      // none near does, a window that fits today's stride (overlapping), with the stride written.
      : [propose(all, 'window', tilingWindowCandidate, true) ?? keepingStride(propose(all, 'window', windowCandidate), all),
        propose(all, 'stride', strideCandidate)];
  const found = proposals.filter((p): p is Proposal => p !== null);

  const text = (p: Proposal) => `${p.param}=${pairText(p.value)}${p.keepStride ? ` stride=${pairText(p.keepStride)}` : ''}`;
  const suggestion = found.length > 0 ? ` — ${found.map((p) => `${text(p)} would give ${p.output.join('×')}`).join(', ')}` : '';
  const fixes = found.map((p) => p.keepStride
    ? withStride(setParamFix(entry, p.param, pairText(p.value), `output ${p.output.join('×')}`), entry, p.keepStride)
    : setParamFix(entry, p.param, pairText(p.value), `output ${p.output.join('×')}`));
  const lead = isConv ? '' : `the ${formatShape(all.map((a) => a.window))} window with stride ${pairText(all.map((a) => a.stride))} does not tile the ${input[1]}×${input[2]} input: `;
  return {
    code: isConv ? 'conv-non-integer-output' : 'pool-window-not-tiling',
    message: `${where(entry.statement)}: ${lead}output ${fractionText(bad)}; ${droppedText(bad)}${suggestion}`,
    ...(fixes.length > 0 && { fixes }),
  };
}

function keepingStride(p: Proposal | null, axes: readonly AxisArithmetic[]): Proposal | null {
  return p && { ...p, keepStride: [axes[0].stride, axes[1].stride] };
}

/** Adds `stride=S` to a window fix, so the stride stays what it was. */
function withStride(fix: Fix, entry: LayerEntry, stride: readonly [number, number]): Fix {
  const value = pairText(stride);
  return {
    title: fix.title.replace(/^Use (window=\S+)/, `Use $1 stride=${value}`),
    edits: [...fix.edits, insert(entry.statement.range.end, ` stride=${value}`)],
  };
}

/** "height (14 + 2·0 − 5)/2 + 1 = 5.5 is not an integer", merging identical axes. */
function fractionText(bad: readonly AxisArithmetic[]): string {
  if (bad.length === 1) return `${bad[0].axis} ${arithmeticText(bad[0])} is not an integer`;
  const [h, w] = bad.map(arithmeticText);
  return h === w ? `height and width ${h} are not integers` : `height ${h} and width ${w} are not integers`;
}

/** "the last row is dropped", "the last 2 rows and 1 column are dropped". */
function droppedText(bad: readonly AxisArithmetic[]): string {
  const rows = bad.find((a) => a.axis === 'height')?.dropped ?? 0;
  const cols = bad.find((a) => a.axis === 'width')?.dropped ?? 0;
  let what: string;
  if (rows > 0 && cols > 0) what = rows === 1 && cols === 1 ? 'row and column' : `${plural(rows, 'row')} and ${plural(cols, 'column')}`;
  else if (rows > 0) what = rows === 1 ? 'row' : plural(rows, 'row');
  else what = cols === 1 ? 'column' : plural(cols, 'column');
  return `the last ${what} ${rows + cols === 1 ? 'is' : 'are'} dropped`;
}

type Candidate = (a: AxisArithmetic) => number | undefined;

/**
 * Applies `candidate` to each fractional axis, keeping the others as they are. With
 * `strideFollowsWindow` (pooling without a written stride) a new window brings its own stride.
 */
function propose(axes: readonly AxisArithmetic[], param: Proposal['param'], candidate: Candidate, strideFollowsWindow = false): Proposal | null {
  const current = (a: AxisArithmetic) => (param === 'pad' ? a.pad : param === 'stride' ? a.stride : a.window);
  const value: number[] = [];
  for (const a of axes) {
    const v = a.dropped > 0 ? candidate(a) : current(a);
    if (v === undefined) return null;
    value.push(v);
  }
  const output = axes.map((a, i) => {
    const stride = param === 'stride' || strideFollowsWindow ? value[i] : a.stride;
    return axisArithmetic(a.axis, a.size, param === 'pad' ? value[i] : a.pad, param === 'window' ? value[i] : a.window, stride, a.padded).output;
  }) as [number, number];
  return { param, value: [value[0], value[1]], output };
}

/** The value nearest to `from` (at most `reach` away, ≥ `min`) that passes `fits`; ties go to the output nearest the exact one. */
function nearest(from: number, reach: number, min: number, fits: (v: number) => boolean, output: (v: number) => number, exact: number): number | undefined {
  for (let d = 1; d <= reach; d++) {
    const options = [from + d, from - d].filter((v) => v >= min && fits(v));
    if (options.length > 0) return options.sort((x, y) => Math.abs(output(x) - exact) - Math.abs(output(y) - exact))[0];
  }
  return undefined;
}

const spanOf = (a: AxisArithmetic, pad = a.pad, window = a.window) => a.size + 2 * pad - window;

const padCandidate: Candidate = (a) =>
  nearest(a.pad, a.stride, 0, (p) => spanOf(a, p) >= 0 && spanOf(a, p) % a.stride === 0, (p) => spanOf(a, p) / a.stride + 1, a.exact);

const strideCandidate: Candidate = (a) =>
  nearest(a.stride, a.stride, 1, (s) => s <= a.window && spanOf(a) % s === 0, (s) => spanOf(a) / s + 1, a.exact);

const windowCandidate: Candidate = (a) =>
  nearest(a.window, a.stride, 2, (k) => k <= a.size && spanOf(a, 0, k) % a.stride === 0, (k) => spanOf(a, 0, k) / a.stride + 1, a.exact);

const tilingWindowCandidate: Candidate = (a) =>
  nearest(a.window, Math.max(2, a.window - 1), 2, (k) => k <= a.size && a.size % k === 0, (k) => a.size / k, a.exact);

// ---- edits ------------------------------------------------------------------------------------

/** `3` when both axes agree, else `3x2`. */
function pairText(v: readonly number[]): string {
  return v[0] === v[1] ? `${v[0]}` : `${v[0]}x${v[1]}`;
}

/** Replaces the parameter's written value, or appends `name=value` to the statement. */
export function setParamFix(entry: { statement: Statement; written: LayerEntry['written'] }, name: string, value: string, effect: string): Fix {
  const written = entry.written.get(name);
  const edit: TextEdit = written ? replace(written.value.range, value) : insert(entry.statement.range.end, ` ${name}=${value}`);
  return { title: `Use ${name}=${value} (${effect})`, edits: [edit] };
}
