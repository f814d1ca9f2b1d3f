// Hover content: a layer's shapes, arithmetic and costs (from the language's `hoverMarkdown`), a keyword's
// or parameter's documentation (from the catalog). Pure.
import { comparePositions, hoverMarkdown, type LayerInfo, type Position, type Range, type SyntaxTree } from '../lang';
import { paramMarkdown, statementMarkdown, statementSummary } from './docs';
import { targetAt } from './locate';

export interface HoverData {
  readonly markdown: string;
  readonly range: Range;
}

export function hoverAt(a: { readonly syntax: SyntaxTree; readonly layers: readonly LayerInfo[] }, pos: Position): HoverData | undefined {
  const target = targetAt(a.syntax, pos);
  if (!target) return undefined;
  const layer = a.layers.find((l) => l.layer.line === target.statement.firstLine);
  const layerMd = layer ? hoverMarkdown(layer) : undefined;
  switch (target.kind) {
    case 'keyword': {
      // A layer: its shapes and costs first, then what the keyword means. Other statements: the full docs.
      const doc = target.info && (layerMd ? statementSummary(target.info) : statementMarkdown(target.info));
      const parts = [layerMd, doc].filter((p): p is string => !!p);
      return parts.length ? { markdown: parts.join('\n\n---\n\n'), range: target.range } : undefined;
    }
    case 'key':
    case 'value':
      if (target.info && target.param) return { markdown: paramMarkdown(target.info, target.param), range: target.range };
      return layerMd ? { markdown: layerMd, range: target.statement.range } : undefined;
    case 'statement':
      return layerMd ? { markdown: layerMd, range: target.statement.range } : undefined;
  }
}

/**
 * A simpleNN `.config` has no statements to point at: the hover is the shapes of the layers whose
 * vector entry is under the cursor (a conv and its ReLU share the `ch_input` entry).
 */
export function entryHoverAt(layers: readonly LayerInfo[], pos: Position): HoverData | undefined {
  const here = layers.filter(({ layer: { range } }) => comparePositions(range.start, pos) <= 0 && comparePositions(pos, range.end) <= 0);
  if (here.length === 0) return undefined;
  return { markdown: here.map((l) => hoverMarkdown(l)).join('\n\n---\n\n'), range: here[0]!.layer.range };
}
