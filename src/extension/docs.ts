// Markdown documentation of keywords and parameters, generated from the language catalog (used by
// hovers and completion items). Pure.
import { describeBounds, type ParamInfo, type StatementCategory, type StatementInfo } from '../lang';

/** What a statement is, for the heading under its keyword (`**input** — input` would say nothing). */
const CATEGORY_NAME: Record<StatementCategory, string> = {
  input: 'the shape of the data',
  layer: 'layer',
  loss: 'training loss',
  train: 'training settings',
};

function code(s: string): string {
  return `\`${s}\``;
}

/** One line of facts about a parameter: required/positional, default, allowed values, range. */
export function paramFacts(p: ParamInfo): string {
  const facts: string[] = [];
  if (p.required) facts.push('required');
  if (p.positional) facts.push(`may be written without \`${p.name}=\``);
  if (p.default !== undefined) facts.push(`default ${code(p.default)}`);
  if (p.values?.length) facts.push(`one of ${p.values.map(code).join(', ')}`);
  const b = p.bounds && p.kind !== 'validation' ? describeBounds(p.bounds) : '';
  if (b) facts.push(b);
  return facts.join(' · ');
}

/** `**conv** — Convolution: …` (one paragraph, for under a layer's shapes in its hover). */
export function statementSummary(s: StatementInfo): string {
  return `**${s.keyword}** — ${s.doc}`;
}

/** The keyword's documentation with every parameter (completion items, hovers on input/loss/train). */
export function statementMarkdown(s: StatementInfo): string {
  const lines = [`**${s.keyword}** — ${CATEGORY_NAME[s.category]}`, '', s.doc];
  if (s.params.length) {
    lines.push('', ...s.params.map((p) => {
      const facts = paramFacts(p);
      return `- ${code(p.name)} — ${p.doc}${facts ? ` *(${facts})*` : ''}`;
    }));
  }
  return lines.join('\n');
}

export function paramMarkdown(s: StatementInfo, p: ParamInfo): string {
  const facts = paramFacts(p);
  return [`**${p.name}** — ${code(s.keyword)} parameter`, '', p.doc, ...(facts ? ['', facts] : [])].join('\n');
}
