// Carries what `analyze()` says about the generated `.cnn` back onto the `.config` it came from:
// ranges (a value's range becomes its entry's, anything else the layer's defining entry), the line
// numbers and statement names in messages, and fixes — a fix that changes one value becomes an edit
// of that entry; a fix that only makes sense in a `.cnn` (insert a line, add a `stride=`) is dropped.

import type { Diagnostic, Fix, LayerInfo, Range, TextEdit } from '../spec';
import type { GeneratedLine, GeneratedModel, Segment } from './config-cnn';

/** The `.cnn` conv settings by the `.config` fields they were written from. */
const CNN_TO_FIELD: Readonly<Record<string, string>> = {
  kernel: 'wd_filter', pad: 'wd_pad_added', stride: 'strides', window: 'wd_subimage_pool', filters: 'ch_input', units: 'full_neurons',
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class ConfigMap {
  constructor(private readonly model: GeneratedModel) {}

  private line(n: number): GeneratedLine | undefined {
    return this.model.lines[n];
  }

  /** A generated-text range as a `.config` range. */
  range(r: Range): Range {
    const line = this.line(r.start.line);
    if (!line) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (r.end.line !== r.start.line) return line.origin;
    const from = r.start.character;
    const to = r.end.character;
    const inside = line.segments.find((s) => s.start <= from && to <= s.end);
    if (inside) return inside.origin;
    const overlapping = line.segments.filter((s) => s.start < to && from < s.end);
    if (overlapping.length > 0 && overlapping.every((s) => s.origin.start.line === overlapping[0].origin.start.line)) {
      return { start: overlapping[0].origin.start, end: overlapping[overlapping.length - 1].origin.end };
    }
    // A value spanning entries from several fields (the input's C×H×W): the one entry that is not a
    // plain size is the one the problem is about.
    const odd = overlapping.filter((s) => !/^[1-9]\d*$/.test(line.text.slice(s.start, s.end)));
    return odd.length === 1 ? odd[0].origin : line.origin;
  }

  /** "conv (line 5)" → "conv layer 2 (line 8)", "line 5" → "line 8", `kernel` → `wd_filter`. */
  message(text: string): string {
    const named = text.replace(/`(kernel|pad|stride|window|filters|units)`/g, (_, name: string) => `\`${CNN_TO_FIELD[name]}\``);
    return named.replace(/\b(?:([a-z_]+) \()?line (\d+)(\))?/g, (all, keyword: string | undefined, n: string, close: string | undefined) => {
      const line = this.line(Number(n) - 1);
      if (!line) return all;
      const configLine = line.origin.start.line + 1;
      // The train settings come from the caller, not from a .config line.
      if (keyword && close) return line.label === 'train settings' ? line.label : `${line.label} (line ${configLine})`;
      return `${keyword ? `${keyword} (` : ''}line ${configLine}${close ?? ''}`;
    });
  }

  diagnostic(d: Diagnostic): Diagnostic {
    const fixes = (d.fixes ?? []).map((f) => this.fix(f)).filter((f): f is Fix => f !== null);
    return {
      range: this.range(d.range),
      severity: d.severity,
      code: d.code,
      message: simpleNNNote(d.code, this.message(d.message)),
      ...(d.related ? { related: d.related.map((r) => ({ range: this.range(r.range), message: this.message(r.message) })) } : {}),
      ...(fixes.length > 0 ? { fixes } : {}),
    };
  }

  /** The fix as edits of `.config` entries, or null when one of its edits has no `.config` equivalent. */
  fix(fix: Fix): Fix | null {
    const adapted = fix.edits.map((e) => this.edit(e));
    if (adapted.some((a) => a === null)) return null;
    const edits = adapted as { edit: TextEdit; name: string }[];
    return { title: `Set ${edits.map((e) => `${e.name} to ${e.edit.newText}`).join(' and ')}`, edits: edits.map((e) => e.edit) };
  }

  private edit(e: TextEdit): { edit: TextEdit; name: string } | null {
    if (e.range.start.line !== e.range.end.line) return null;
    const line = this.line(e.range.start.line);
    const segment = line?.segments.find((s) => s.entry && s.start <= e.range.start.character && e.range.end.character <= s.end);
    if (!line || !segment?.entry) return null;
    const value = editedValue(line.text, segment, e);
    if (value === null) return null;
    return { edit: { range: segment.origin, newText: value }, name: `${segment.entry.field}(${segment.entry.index + 1})` };
  }

  /** The layer with its line and range moved to its defining `.config` entry, and marked provisional from the first guessed line on. */
  layer(info: LayerInfo): LayerInfo {
    const generatedLine = info.layer.line;
    const origin = this.line(generatedLine)?.origin ?? info.layer.range;
    const guess = this.model.provisional;
    const provisional = guess && generatedLine >= guess.line ? { line: guess.configLine, reason: guess.reason }
      : info.provisional ? { line: this.configLine(info.provisional.line), reason: this.message(info.provisional.reason) }
        : undefined;
    const layer = { ...info.layer, line: origin.start.line, range: origin };
    return { ...info, layer, ...(provisional ? { provisional } : {}) };
  }

  /** Generated line of a diagnostic at or after the first guessed line (its shapes rest on a guess). */
  isAfterGuess(d: Diagnostic): boolean {
    return this.model.provisional !== null && d.range.start.line >= this.model.provisional.line;
  }

  /** The `.config` line a generated line points to. */
  configLine(generatedLine: number): number {
    return this.line(generatedLine)?.origin.start.line ?? 0;
  }
}

/** The segment's value after the edit, when it is still `prefix` + a number. */
function editedValue(lineText: string, segment: Segment, e: TextEdit): string | null {
  const text = lineText.slice(segment.start, segment.end);
  const from = e.range.start.character - segment.start;
  const to = e.range.end.character - segment.start;
  const edited = text.slice(0, from) + e.newText + text.slice(to);
  const prefix = segment.entry!.prefix;
  if (!edited.startsWith(prefix)) return null;
  const value = edited.slice(prefix.length);
  return NUMBER.test(value) ? value : null;
}

/**
 * A fractional output is what simpleNN computes too (train.m floors it); its pooling stride is always
 * the window, so ConvLab's "stride=… would give" suggestions do not apply to a pooling entry.
 */
function simpleNNNote(code: string, message: string): string {
  if (code === 'pool-window-not-tiling') return `${message.split(' — ')[0]} (simpleNN floors the pooled size the same way)`;
  if (code === 'conv-non-integer-output') return `${message} (simpleNN floors the output size the same way)`;
  return message;
}
