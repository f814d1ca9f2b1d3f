// What gemm.ts and conv.ts ask, synchronously, while recording: has this shape a measured choice
// on this adapter? (No answer: kernel-select.ts's rules decide.) While the autotuner collects, the
// same questions also note each decision a pass would make, so it knows what to measure.

import type { Activation, ConvGeometry } from '../../backend';
import type { GemmCall } from '../gemm';
import type { GemmTile } from '../kernels';
import type { ConvAlgorithm, ConvPass, SplitK } from '../kernel-select';
import { convCandidates, gemmCandidates, gemmTileByName, splitKOf, validConvAlgorithms } from './candidates';
import type { KernelChoiceTable } from './choice-table';
import { convKey, gemmKey, type Decision } from './decisions';

export interface KernelChoiceSource {
  gemmChoice(call: GemmCall, m: number, n: number, k: number): { readonly tile: GemmTile; readonly splitK: SplitK } | undefined;
  convChoice(pass: ConvPass, g: ConvGeometry, hasBias: boolean, activation: Activation | null): ConvAlgorithm | undefined;
}

/** How a decision of the last collected pass was made. */
export interface KernelChoiceReport {
  readonly key: string;
  /** The kernel used, e.g. "16x64", "8x32/4", "implicit". */
  readonly choice: string;
  /** What kernel-select.ts's rules pick. */
  readonly rule: string;
  /** 'measured' in this process, read from the 'cached' record, or left to the 'rule'. */
  readonly source: 'measured' | 'cached' | 'rule';
}

export class KernelChooser implements KernelChoiceSource {
  private table: KernelChoiceTable | null = null;
  private collected: Map<string, Decision> | null = null;
  private readonly measured = new Set<string>();

  constructor(readonly adapter: string) {}

  /** The table to answer from (until then every answer is "use the rule"). */
  attach(table: KernelChoiceTable): void { this.table = table; }

  /** Runs `record` (a dry pass) and returns the decisions it made, each once, in order. */
  collect(record: () => void): Decision[] {
    const collected = new Map<string, Decision>();
    this.collected = collected;
    try { record(); } finally { this.collected = null; }
    return [...collected.values()];
  }

  isChosen(d: Decision): boolean { return this.table?.get(this.adapter, d.key) !== undefined; }

  noteMeasured(key: string): void { this.measured.add(key); }

  gemmChoice(call: GemmCall, m: number, n: number, k: number): { tile: GemmTile; splitK: SplitK } | undefined {
    const key = gemmKey(call, m, n, k);
    if (this.collected && !this.collected.has(key)) this.collected.set(key, { kind: 'gemm', key, call, m, n, k });
    const choice = this.table?.get(this.adapter, key);
    const tile = choice?.kind === 'gemm' ? gemmTileByName(choice.tile) : undefined;
    return tile && choice?.kind === 'gemm' ? { tile, splitK: splitKOf(k, choice.splits) } : undefined;
  }

  convChoice(pass: ConvPass, g: ConvGeometry, hasBias: boolean, activation: Activation | null): ConvAlgorithm | undefined {
    const key = convKey(pass, g);
    if (this.collected && !this.collected.has(key)) this.collected.set(key, { kind: 'conv', key, pass, g, hasBias, activation });
    const choice = this.table?.get(this.adapter, key);
    // A stored algorithm that cannot run this pass (another budget, a hand-edited file) is ignored.
    return choice?.kind === 'conv' && validConvAlgorithms(pass, g).includes(choice.algorithm) ? choice.algorithm : undefined;
  }

  /** How each of `decisions` is made now. */
  report(decisions: readonly Decision[]): KernelChoiceReport[] {
    return decisions.map((d) => {
      const rule = (d.kind === 'gemm' ? gemmCandidates(d) : convCandidates(d))[0].name;
      const stored = this.table?.get(this.adapter, d.key);
      const choice = d.kind === 'gemm' ? this.gemmName(d) : this.convChoice(d.pass, d.g, d.hasBias, d.activation);
      const source = !stored || choice === undefined ? 'rule' : this.measured.has(d.key) ? 'measured' : 'cached';
      return { key: d.key, choice: choice ?? rule, rule, source };
    });
  }

  private gemmName(d: Decision & { kind: 'gemm' }): string | undefined {
    const c = this.gemmChoice(d.call, d.m, d.n, d.k);
    return c && (c.splitK.splits > 1 ? `${c.tile.name}/${c.splitK.splits}` : c.tile.name);
  }
}
