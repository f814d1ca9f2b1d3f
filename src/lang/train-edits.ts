// Writing values chosen elsewhere (the training panel's epochs, batch, learning rate) back into the
// model's `train` line: a written setting keeps its place and gets the new value, a missing one is
// appended to the line, and a model without a `train` line gets one. Pure, so it is unit-tested.

import { paramInfo, statementInfo } from './catalog';
import type { TextEdit } from './spec';
import { parse, type SettingArgument } from './syntax';
import { insert, pos, replace, splitLines } from './text';

export interface TrainValues {
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
}

const ORDER = ['epochs', 'batch', 'lr'] as const;

/** The edits that make the model's `train` line say `values`. */
export function trainSettingEdits(text: string, values: TrainValues): TextEdit[] {
  const wanted = ORDER.filter((k) => values[k] !== undefined).map((k) => [k, formatValue(values[k]!)] as const);
  if (wanted.length === 0) return [];
  const train = [...parse(text).tree.statements].reverse().find((s) => s.keyword.text.toLowerCase() === 'train');
  if (!train) {
    const lines = splitLines(text);
    const last = lines.length - 1;
    const end = pos(last, lines[last].length);
    const lead = lines[last].trim() === '' ? '' : '\n';
    return [insert(end, `${lead}train ${wanted.map(([k, v]) => `${k}=${v}`).join(' ')}\n`)];
  }
  const info = statementInfo('train')!;
  const edits: TextEdit[] = [];
  const appended: string[] = [];
  for (const [key, value] of wanted) {
    const names = new Set([key, ...(paramInfo(info, key)?.aliases ?? [])]);
    const written = train.args.filter((a): a is SettingArgument => a.kind === 'setting' && names.has(a.key.text.toLowerCase())).at(-1);
    if (written?.value) edits.push(replace(written.value.range, value));
    else if (written) edits.push(replace(written.range, `${key}=${value}`));
    else appended.push(`${key}=${value}`);
  }
  if (appended.length > 0) edits.push(insert(train.range.end, ` ${appended.join(' ')}`));
  return edits;
}

/** Numbers as a person writes them: 0.005, not 0.005000000000000001. */
function formatValue(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}
