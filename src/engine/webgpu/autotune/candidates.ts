// The kernels each decision may choose among, the rule's pick first (it wins ties). Every candidate
// is a kernel the tests already check against the CPU, so choosing one changes only rounding.

import type { ConvGeometry } from '../../backend';
import { GEMM_TK, tileCols, tileRows, type GemmTile } from '../kernels';
import { ruleFor } from '../conv';
import { hasUnitStride } from '../conv-direct';
import {
  GEMM_TILES, IM2COL_BUDGET_BYTES, isPointwise, selectGemmTile, selectSplitK, SPLIT_TARGET_WORKGROUPS, unrolledBytes,
  type ConvAlgorithm, type ConvPass, type SplitK,
} from '../kernel-select';
import type { ConvDecision, GemmDecision } from './decisions';

/**
 * Bump when the candidate lists below change (a new algorithm, other split counts): stored choices
 * were made among the old ones, and kernel-set.ts's fingerprint includes this.
 */
export const CANDIDATE_SET_REVISION = 2;

export interface GemmCandidate {
  readonly kind: 'gemm';
  /** e.g. "32x32" or "16x64/4" (4 splits). */
  readonly name: string;
  readonly tile: GemmTile;
  readonly splitK: SplitK;
}

export interface ConvCandidate {
  readonly kind: 'conv';
  readonly name: ConvAlgorithm;
  readonly algorithm: ConvAlgorithm;
}

export type Candidate = GemmCandidate | ConvCandidate;

/** Split counts tried beside the rule's when a tile leaves the GPU with few workgroups. */
const SPLIT_TRIALS = [1, 2, 4, 8] as const;
/** A split shorter than this many k steps spends more on its partial sums than it saves. */
const MIN_SPLIT_K = 4 * GEMM_TK;

export function gemmTileByName(name: string): GemmTile | undefined {
  return Object.values(GEMM_TILES).find((t) => t.name === name);
}

/** `splits` k ranges of whole staged k-slices (fewer when k is short), as encodeGemm needs them. */
export function splitKOf(k: number, splits: number): SplitK {
  const chunk = Math.max(GEMM_TK, Math.ceil(k / Math.max(1, splits) / GEMM_TK) * GEMM_TK);
  return { splits: Math.max(1, Math.ceil(k / chunk)), chunk };
}

function gemmCandidate(tile: GemmTile, splitK: SplitK): GemmCandidate {
  return { kind: 'gemm', name: splitK.splits > 1 ? `${tile.name}/${splitK.splits}` : tile.name, tile, splitK };
}

/** Every tile with the rule's split-K for it; for the rule's tile, also a few split counts when it leaves workgroups idle. */
export function gemmCandidates({ m, n, k }: Pick<GemmDecision, 'm' | 'n' | 'k'>): GemmCandidate[] {
  const ruleTile = selectGemmTile(m, n, k);
  const out = [gemmCandidate(ruleTile, selectSplitK(m, n, k, ruleTile))];
  for (const tile of Object.values(GEMM_TILES)) {
    if (tile !== ruleTile) out.push(gemmCandidate(tile, selectSplitK(m, n, k, tile)));
  }
  const workgroups = Math.ceil(m / tileRows(ruleTile)) * Math.ceil(n / tileCols(ruleTile));
  if (workgroups < SPLIT_TARGET_WORKGROUPS) {
    for (const splits of SPLIT_TRIALS) {
      if (splits > 1 && k / splits < MIN_SPLIT_K) continue;
      out.push(gemmCandidate(ruleTile, splitKOf(k, splits)));
    }
  }
  // The rule's own split count may repeat among the trials: keep the first of each name.
  const byName = new Map<string, GemmCandidate>();
  for (const c of out) if (!byName.has(c.name)) byName.set(c.name, c);
  return [...byName.values()];
}

/** The algorithms that can run this pass on this geometry (pointwise layers have one: nothing to choose). */
export function validConvAlgorithms(pass: ConvPass, g: ConvGeometry): ConvAlgorithm[] {
  if (isPointwise(g)) return ['pointwise'];
  // The direct gradients run at stride 1 only (conv-direct.ts).
  const valid: ConvAlgorithm[] = pass === 'forward' ? ['direct', 'implicit'] : hasUnitStride(g) ? ['implicit', 'direct'] : ['implicit'];
  if (unrolledBytes(g) <= IM2COL_BUDGET_BYTES) valid.push('im2col');
  return valid;
}

export function convCandidates({ pass, g }: Pick<ConvDecision, 'pass' | 'g'>): ConvCandidate[] {
  // conv.ts's automatic choice, exactly what runs when nothing is stored.
  const rule = ruleFor(pass, g);
  const ordered = [rule, ...validConvAlgorithms(pass, g).filter((a) => a !== rule)];
  return ordered.map((algorithm) => ({ kind: 'conv', name: algorithm, algorithm }));
}
