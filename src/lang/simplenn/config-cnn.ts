// The `.cnn` model a `.config` means, as simpleNN's cnn/train.m and cnn/feedforward.m compute it:
// per convolutional layer pad → conv → ReLU → max-pool (window = stride = wd_subimage_pool, none
// when 1); then flatten, and the fully-connected layers with ReLU between them and a linear last
// layer under simpleNN's squared loss (`loss mse`). Every generated line and every value on it
// remembers the `.config` range it came from, so diagnostics on the `.cnn` map back.

import type { Range } from '../spec';
import type { ConfigFieldName } from './config-fields';
import type { ConfigEntry } from './config-parse';
import type { ConfigLayout } from './config-layout';

/** A stretch of a generated line that came from one `.config` entry. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly origin: Range;
  /** The entry it was written from, when the segment is a value (its fixes can become edits of that entry). */
  readonly entry?: { readonly field: ConfigFieldName; readonly index: number; readonly prefix: string };
}

export interface GeneratedLine {
  readonly text: string;
  /** Where the whole line points in the `.config` (the layer's defining entry). */
  readonly origin: Range;
  /** How messages name the line's statement: "conv layer 2", "full layer 1". */
  readonly label: string;
  readonly segments: readonly Segment[];
}

export interface GeneratedModel {
  readonly lines: readonly GeneratedLine[];
  /** The first line whose shapes rest on a guess, because an entry it needs is missing or unreadable. */
  readonly provisional: { readonly line: number; readonly configLine: number; readonly reason: string } | null;
  /** The generated `input` line, if the input's entries were all there. */
  readonly hasInput: boolean;
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

class LineBuilder {
  private text = '';
  private readonly segments: Segment[] = [];
  constructor(private readonly label: string, private readonly origin: Range) {}

  word(word: string): this {
    this.text += this.text ? ` ${word}` : word;
    return this;
  }

  /** ` prefix` + the entry's text, mapped to the entry. */
  value(e: ConfigEntry, field: ConfigFieldName, index: number, prefix = '', separator = ' '): this {
    if (this.text) this.text += separator;
    const start = this.text.length;
    this.text += `${prefix}${e.text}`;
    this.segments.push({ start, end: this.text.length, origin: e.range, entry: { field, index, prefix } });
    return this;
  }

  build(): GeneratedLine {
    return { text: this.text, origin: this.origin, label: this.label, segments: this.segments };
  }
}

/** The model's lines; `header` comment lines first, a `train` line (`train` + settings) last if given. */
export function generateCnn(layout: ConfigLayout, header: readonly string[], train: string | undefined): GeneratedModel {
  const lines: GeneratedLine[] = header.map((h) => ({ text: `# ${h}`.trimEnd(), origin: START, label: 'comment', segments: [] }));
  let provisional: GeneratedModel['provisional'] = null;
  const guess = (configLine: number, reason: string) => {
    provisional ??= { line: lines.length, configLine, reason };
  };
  const fieldLine = (name: ConfigFieldName) => layout.field(name)?.line ?? 0;
  const fieldRange = (name: ConfigFieldName): Range => layout.field(name)?.nameRange ?? START;

  const channels = layout.entry('ch_input', 0);
  const height = layout.entry('ht_input', 0);
  const width = layout.entry('wd_input', 0);
  const hasInput = !!(channels && height && width);
  if (channels && height && width) {
    lines.push(new LineBuilder('input', channels.range).word('input')
      .value(channels, 'ch_input', 0).value(height, 'ht_input', 0, '', 'x').value(width, 'wd_input', 0, '', 'x').build());
  }

  for (let m = 0; m < layout.LC; m++) {
    const label = `conv layer ${m + 1}`;
    const filters = layout.entry('ch_input', m + 1);
    const kernel = layout.entry('wd_filter', m);
    if (!filters || !kernel) {
      guess(fieldLine(filters ? 'wd_filter' : 'ch_input'), `${label} is left out: ${filters ? `wd_filter has no entry ${m + 1}` : `ch_input has no entry ${m + 2}`}`);
      continue;
    }
    const conv = new LineBuilder(label, filters.range).word('conv').value(filters, 'ch_input', m + 1).value(kernel, 'wd_filter', m, 'kernel=');
    const pad = layout.entry('wd_pad_added', m);
    if (pad) conv.value(pad, 'wd_pad_added', m, 'pad=');
    else guess(fieldLine('wd_pad_added'), `wd_pad_added has no entry ${m + 1}; ${label} is shown without padding`);
    const stride = layout.entry('strides', m);
    if (stride) conv.value(stride, 'strides', m, 'stride=');
    else guess(fieldLine('strides'), `strides has no entry ${m + 1}; ${label} is shown with stride 1`);
    lines.push(conv.build());
    lines.push(new LineBuilder(label, filters.range).word('relu').build());
    const pool = layout.entry('wd_subimage_pool', m);
    if (!pool) guess(fieldLine('wd_subimage_pool'), `wd_subimage_pool has no entry ${m + 1}; ${label} is shown without pooling`);
    else if (pool.value !== 1) lines.push(new LineBuilder(`pooling of ${label}`, pool.range).word('maxpool').value(pool, 'wd_subimage_pool', m).build());
  }

  lines.push(new LineBuilder('flatten', fieldRange('full_neurons')).word('flatten').build());
  for (let k = 0; k < layout.LF; k++) {
    const label = `full layer ${k + 1}`;
    const units = layout.entry('full_neurons', k);
    if (!units) {
      guess(fieldLine('full_neurons'), `${label} is left out: full_neurons has no entry ${k + 1}`);
      continue;
    }
    lines.push(new LineBuilder(label, units.range).word('dense').value(units, 'full_neurons', k).build());
    if (k < layout.LF - 1) lines.push(new LineBuilder(label, units.range).word('relu').build());
  }
  const full = layout.field('full_neurons');
  lines.push(new LineBuilder('loss', full?.range ?? START).word('loss mse').build());
  if (train !== undefined) lines.push(new LineBuilder('train settings', START).word(`train ${train}`).build());
  return { lines, provisional, hasInput };
}
