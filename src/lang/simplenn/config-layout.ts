// The structure of a parsed `.config`: every field present, L, LC and LF whole numbers with
// L = LC + LF, and each vector as long as the layer counts say. What survives is the layout the
// `.cnn` generator walks; entries missing from a short vector are left out, not guessed.

import type { Diagnostic, Range } from '../spec';
import { range } from '../text';
import { CONFIG_FIELDS, lengthText, type ConfigFieldName } from './config-fields';
import type { ConfigAssignment, ConfigEntry, ConfigFile } from './config-parse';

export interface ConfigLayout {
  /** Convolutional and fully-connected layer counts the generator uses (best effort when L/LC/LF are wrong). */
  readonly LC: number;
  readonly LF: number;
  /** Entry `index` of a field, when it is written and is a number. */
  entry(field: ConfigFieldName, index: number): ConfigEntry | undefined;
  field(field: ConfigFieldName): ConfigAssignment | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export function readLayout(file: ConfigFile): ConfigLayout {
  const diagnostics: Diagnostic[] = [];
  const field = (name: ConfigFieldName) => file.fields.get(name);
  const end = endOfText(file.lines);
  for (const info of CONFIG_FIELDS) {
    if (!file.fields.has(info.name)) {
      diagnostics.push({
        range: end, severity: 'error', code: 'config-missing-field',
        message: `the .config has no \`${info.name}\` (${info.doc}); simpleNN needs every field: add \`${info.name} = …;\``,
      });
    }
  }
  const L = readCount(field('L'), 1, diagnostics);
  const LC = readCount(field('LC'), 0, diagnostics);
  const LF = readCount(field('LF'), 1, diagnostics);
  if (L !== null && LC !== null && LF !== null && L !== LC + LF) {
    const l = field('L')!;
    diagnostics.push({
      range: l.entries[0].range, severity: 'error', code: 'config-layer-count',
      message: `L (line ${l.line + 1}): L = ${L} but LC + LF = ${LC} + ${LF} = ${LC + LF}; simpleNN's L counts every convolutional and fully-connected layer`,
      related: [
        { range: field('LC')!.range, message: `LC = ${LC} convolutional layers` },
        { range: field('LF')!.range, message: `LF = ${LF} fully-connected layers` },
      ],
      fixes: [{ title: `Set L to ${LC + LF}`, edits: [{ range: l.entries[0].range, newText: String(LC + LF) }] }],
    });
  }
  // With LC or LF unreadable, the vectors that depend on it still say how many layers were meant.
  const effectiveLC = LC ?? field('wd_filter')?.entries.length ?? 0;
  const effectiveLF = LF ?? field('full_neurons')?.entries.length ?? 0;
  for (const info of CONFIG_FIELDS) {
    const a = field(info.name as ConfigFieldName);
    if (!a || info.length === 'one' && ['L', 'LC', 'LF'].includes(info.name)) continue;
    if ((info.length === 'LC' || info.length === 'LC+1') && LC === null) continue;
    if (info.length === 'LF' && LF === null) continue;
    const { expected, text } = lengthText(info.length, { LC: effectiveLC, LF: effectiveLF });
    if (a.entries.length === expected) continue;
    const related = info.length === 'one' ? [] : [{ range: field(info.length === 'LF' ? 'LF' : 'LC')!.range, message: info.length === 'LF' ? `LF = ${effectiveLF}` : `LC = ${effectiveLC}` }];
    diagnostics.push({
      range: a.valueRange, severity: 'error', code: 'config-vector-length',
      message: `${a.name} (line ${a.line + 1}): has ${a.entries.length} ${a.entries.length === 1 ? 'entry' : 'entries'} but needs ${text} (${info.doc})`,
      ...(related.length > 0 ? { related } : {}),
    });
  }
  return {
    LC: effectiveLC,
    LF: effectiveLF,
    field,
    entry(name, index) {
      const e = field(name)?.entries[index];
      return e && !Number.isNaN(e.value) ? e : undefined;
    },
    diagnostics,
  };
}

/** A layer count: one whole number ≥ `min`; null (with a diagnostic) otherwise. */
function readCount(a: ConfigAssignment | undefined, min: number, diagnostics: Diagnostic[]): number | null {
  if (!a) return null;
  if (a.entries.length !== 1) {
    diagnostics.push({
      range: a.valueRange, severity: 'error', code: 'config-vector-length',
      message: `${a.name} (line ${a.line + 1}): has ${a.entries.length} entries but needs 1 (${CONFIG_FIELDS.find((f) => f.name === a.name)!.doc})`,
    });
    return null;
  }
  const e = a.entries[0];
  if (Number.isNaN(e.value)) return null;  // already reported by the parser
  if (!Number.isInteger(e.value)) {
    diagnostics.push({ range: e.range, severity: 'error', code: 'not-an-integer', message: `${a.name} (line ${a.line + 1}): ${e.text} is not a whole number of layers` });
    return null;
  }
  if (e.value < min) {
    diagnostics.push({ range: e.range, severity: 'error', code: 'out-of-range', message: `${a.name} (line ${a.line + 1}): ${e.text} is out of range; it must be at least ${min}` });
    return null;
  }
  return e.value;
}

function endOfText(lines: readonly string[]): Range {
  const last = lines.length - 1;
  return range(last, lines[last].length, lines[last].length);
}
