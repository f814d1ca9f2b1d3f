// Document symbols: the model as an outline (input, each layer with its output shape, loss, training
// settings). Pure.
import { formatShape, statementInfo, type Argument, type LayerInfo, type Range, type SyntaxTree } from '../lang';
import { countOf } from './present';

export interface SymbolData {
  readonly name: string;
  readonly detail: string;
  readonly kind: 'input' | 'layer' | 'loss' | 'train' | 'setting' | 'unknown';
  readonly range: Range;
  readonly selectionRange: Range;
  readonly children: readonly SymbolData[];
}

function argText(a: Argument): string {
  return a.kind === 'positional' ? a.value.text : `${a.key.text}=${a.value?.text ?? ''}`;
}

export function outline(a: { readonly syntax: SyntaxTree; readonly layers: readonly LayerInfo[] }): SymbolData[] {
  const layerAtLine = new Map(a.layers.map((l) => [l.layer.line, l]));
  return a.syntax.statements.map((s): SymbolData => {
    const kind = statementInfo(s.keyword.text)?.category ?? 'unknown';
    if (kind === 'train') {
      return {
        name: s.keyword.text, detail: '', kind, range: s.range, selectionRange: s.keyword.range,
        children: s.args.map((arg) => ({
          name: arg.kind === 'setting' ? arg.key.text : argText(arg),
          detail: arg.kind === 'setting' ? (arg.value?.text ?? '') : '',
          kind: 'setting' as const, range: arg.range, selectionRange: arg.kind === 'setting' ? arg.key.range : arg.range, children: [],
        })),
      };
    }
    const layer = layerAtLine.get(s.firstLine);
    const detail = layer?.output
      ? `→ ${formatShape(layer.output)}${layer.params > 0 ? ` · ${countOf(layer.params, 'param')}` : ''}`
      : '';
    return {
      name: [s.keyword.text, ...s.args.map(argText)].join(' '),
      detail, kind, range: s.range, selectionRange: s.keyword.range, children: [],
    };
  });
}
