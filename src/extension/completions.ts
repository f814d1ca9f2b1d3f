// Context-aware completion from the language catalog. Pure: takes the syntax tree, the line's text and the
// cursor, returns plain items (snippet text, markdown docs, the range they replace).
//   <line start>|         statement keywords (and `train` settings on a continuation line after `train`)
//   conv 6 |              the statement's parameters not written yet, as `key=value` snippets
//   train optimizer=|     the parameter's values (choices, data set kinds, the default)
import {
  DATA_KINDS, STATEMENTS, paramInfo, statementInfo,
  type ParamInfo, type Position, type Range, type Statement, type StatementInfo, type SyntaxTree,
} from '../lang';
import { paramMarkdown, statementMarkdown } from './docs';
import { statementAtLine, statementBefore } from './locate';

export interface CompletionData {
  readonly label: string;
  readonly kind: 'keyword' | 'property' | 'value';
  /** Short text shown next to the label. */
  readonly detail: string;
  readonly documentation: string;
  /** VS Code snippet syntax. */
  readonly snippet: string;
  /** What the item replaces: the partial word before the cursor. */
  readonly range: Range;
  readonly sortText: string;
}

const DATA_DOCS: Record<string, string> = {
  mnist: 'The built-in MNIST digits (no download needed).',
  idx: 'A folder with the four MNIST-style IDX files (optionally gzipped): `idx:DIR`.',
  cifar10: 'A folder with the CIFAR-10 binary batches: `cifar10:DIR`.',
  libsvm: 'LIBSVM text files: `libsvm:TRAIN[,TEST]`.',
  mat: 'simpleNN MATLAB files with `y` (labels) and `Z` (one example per row): `mat:TRAIN[,TEST]`.',
};

function firstSentence(text: string): string {
  const m = /^(.*?[.:])(\s|$)/.exec(text);
  return (m ? m[1] : text).replace(/[.:]$/, '');
}

/** True when the text has a `#` outside double quotes (the cursor is in a comment). */
function inComment(before: string): boolean {
  let quoted = false;
  for (const ch of before) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '#' && !quoted) return true;
  }
  return false;
}

function span(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function completionsAt(tree: SyntaxTree, lineText: string, pos: Position): CompletionData[] {
  const before = lineText.slice(0, pos.character);
  if (inComment(before)) return [];

  // `key=partial`, `key = partial`, `key="partial`
  // The lookbehind anchors the key at a word start: without it a long word is rescanned from every letter.
  const value = /(?<!\w)([A-Za-z_][\w]*)\s*=\s*"?([^\s"=]*)$/.exec(before);
  if (value) {
    const statement = statementAtLine(tree, pos.line);
    const info = statement && statementInfo(statement.keyword.text);
    const param = info && paramInfo(info, value[1]!);
    if (!info || !param) return [];
    return valueItems(info, param, span(pos.line, pos.character - value[2]!.length, pos.character));
  }

  const word = /[^\s=]*$/.exec(before)![0];
  const range = span(pos.line, pos.character - word.length, pos.character);
  const atLineStart = before.slice(0, before.length - word.length).trim() === '';
  if (atLineStart) {
    const items = STATEMENTS.map((s, i) => keywordItem(s, i, range));
    // A line starting with key=value continues the statement above; only `train` is written that way.
    const previous = statementBefore(tree, pos.line);
    const prevInfo = previous && statementInfo(previous.keyword.text);
    if (previous && prevInfo?.category === 'train') items.push(...paramItems(prevInfo, previous, range, '0'));
    return items;
  }

  const statement = statementAtLine(tree, pos.line);
  const info = statement && statementInfo(statement.keyword.text);
  if (!statement || !info) return [];
  return paramItems(info, statement, range, '0', word);
}

function keywordItem(s: StatementInfo, index: number, range: Range): CompletionData {
  return {
    label: s.keyword,
    kind: 'keyword',
    detail: `${s.category === 'layer' ? 'layer' : s.category} · ${firstSentence(s.doc)}`,
    documentation: statementMarkdown(s),
    snippet: s.snippet,
    range,
    sortText: `1${String(index).padStart(3, '0')}`,
  };
}

/** Parameters of `statement` not written yet (the word being typed does not count as written). */
function paramItems(info: StatementInfo, statement: Statement, range: Range, group: string, typing = ''): CompletionData[] {
  const written = new Set<string>();
  const positionals = info.params.filter((p) => p.positional);
  let position = 0;
  for (const arg of statement.args) {
    // One pass (paramOf per argument would rescan the arguments for each one).
    const p = arg.kind === 'setting' ? info.params.find((q) => q.name === arg.key.text) : positionals[position++];
    if (arg.kind === 'positional' && arg.value.text === typing && typing) continue;
    if (p) written.add(p.name);
  }
  return info.params
    .filter((p) => !written.has(p.name))
    .map((p, i) => ({
      label: `${p.name}=`,
      kind: 'property' as const,
      detail: p.default !== undefined ? `default ${p.default}` : p.required ? 'required' : '',
      documentation: paramMarkdown(info, p),
      snippet: p.snippet,
      range,
      sortText: `${group}${p.required ? 0 : 1}${String(i).padStart(3, '0')}`,
    }));
}

function valueItems(info: StatementInfo, p: ParamInfo, range: Range): CompletionData[] {
  const values: { value: string; doc: string; snippet?: string }[] = [];
  if (p.kind === 'data' || p.kind === 'validation') {
    if (p.kind === 'validation') values.push({ value: '0.1', doc: 'Hold out 10% of the training split.' });
    for (const kind of DATA_KINDS) {
      values.push({ value: kind === 'mnist' ? kind : `${kind}:`, doc: DATA_DOCS[kind] ?? '', snippet: kind === 'mnist' ? kind : `${kind}:\${1}` });
    }
  } else if (p.values?.length) {
    for (const v of p.values) values.push({ value: v, doc: '' });
  } else if (p.kind === 'padding') {
    values.push({ value: 'same', doc: 'Pad by (K−1)/2 so the output keeps the input size (odd kernels, stride 1).' });
  }
  if (p.default !== undefined && !values.some((v) => v.value === p.default)) values.push({ value: p.default, doc: '' });
  return values.map((v, i) => ({
    label: v.value,
    kind: 'value' as const,
    detail: v.value === p.default ? 'default' : '',
    documentation: [v.doc, paramMarkdown(info, p)].filter(Boolean).join('\n\n'),
    snippet: v.snippet ?? v.value.replace(/[$}\\]/g, '\\$&'),
    range,
    sortText: String(i).padStart(3, '0'),
  }));
}
