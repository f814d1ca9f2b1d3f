// Parameter declarations that several layer kinds share, and the bounds that keep every value a
// safe integer through the shape arithmetic.

import type { ParamInfo } from '../lang/catalog';

export const MAX_DIM = 100_000;
export const MAX_WINDOW = 10_000;
export const MAX_UNITS = 10_000_000;

/** A `K` or `KxK` (height × width) size parameter. */
export function sizeParam(name: string, doc: string, extra: Partial<ParamInfo> = {}): ParamInfo {
  return { name, doc, kind: 'size', bounds: { min: 1, max: MAX_WINDOW }, snippet: `${name}=\${1:${extra.default ?? 3}}`, ...extra };
}

export const biasParam: ParamInfo = {
  name: 'bias', doc: 'Learn an additive bias per output (set false when a batchnorm follows).',
  kind: 'boolean', default: 'true', values: ['true', 'false'], snippet: 'bias=${1|false,true|}', aliases: ['use_bias'],
};
