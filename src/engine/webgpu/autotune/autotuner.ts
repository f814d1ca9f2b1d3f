// Autotuning at first use: before a network's first step (Backend.compileFor), every decision its
// passes make that has no stored choice for this adapter is timed on the device, within a budget;
// the choices are stored and persisted through the KernelChoiceCache. Without timestamps (or past
// the budget) kernel-select.ts's rules decide, and any stored choices still apply.

import { errorMessage } from '../../errors';
import type { EncodeContext } from '../context';
import { KernelChoiceTable, type KernelChoiceCache } from './choice-table';
import { KernelChooser, type KernelChoiceReport } from './chooser';
import type { Decision } from './decisions';
import { GpuCandidateTimer } from './gpu-candidate-timer';
import { kernelSetVersion } from './kernel-set';
import { TimestampStopwatch } from './timestamp-stopwatch';
import { isTunable, tuneDecision, type CandidateTimer } from './tuner';

export interface AutotuneOptions {
  /** false: the rules only, no stored choices read or written. Default true. */
  readonly enabled?: boolean;
  /** Where choices persist between runs; without one they last as long as the backend. */
  readonly cache?: KernelChoiceCache;
  /**
   * Wall-clock budget of one compileFor's tuning, candidates' pipeline builds included (default: see
   * DEFAULT_BUDGET_MS). No decision starts after it is spent; the one in progress finishes.
   */
  readonly budgetMs?: number;
  /** Timed launches per candidate (default 3). */
  readonly repeats?: number;
  /** Where an unreadable cache or a failed measurement is reported (default console.warn). */
  readonly warn?: (message: string) => void;
  /** Times candidates instead of the device's timestamps (tests). */
  readonly timer?: CandidateTimer;
}

/** Software adapters compile and run slowly: ~2 s once per new shape; real GPUs need far less. */
export const DEFAULT_BUDGET_MS = { software: 2000, hardware: 250 } as const;
const DEFAULT_REPEATS = 3;

export interface AutotuneDevice {
  readonly ctx: EncodeContext;
  readonly device: GPUDevice;
  readonly adapter: string;
  readonly hasTimestamps: boolean;
  readonly isFallbackAdapter: boolean;
}

export class Autotuner {
  readonly chooser: KernelChooser;
  private loaded: Promise<KernelChoiceTable> | null = null;
  private lastDecisions: readonly Decision[] = [];
  private readonly warn: (message: string) => void;

  constructor(private readonly target: AutotuneDevice, private readonly options: AutotuneOptions = {}) {
    this.chooser = new KernelChooser(target.adapter);
    this.warn = options.warn ?? ((message) => console.warn(`convlab: ${message}`));
  }

  /** Whether candidates can be timed here (else stored choices and the rules decide). */
  get canMeasure(): boolean { return Boolean(this.options.timer) || this.target.hasTimestamps; }

  /** How each decision of the last compiled pass was made. */
  get report(): KernelChoiceReport[] { return this.chooser.report(this.lastDecisions); }

  /** Tunes what `record` decides that has no choice yet, then builds the pipelines of the chosen kernels. */
  async compileFor(record: () => void): Promise<void> {
    const table = await this.table();
    // The pass's own pipelines come first: they are needed anyway, so they are not on the budget.
    let decisions = await this.collect(record);
    const pending = (d: Decision) => !this.chooser.isChosen(d) && isTunable(d);
    if (this.canMeasure && decisions.some(pending)) {
      const budget = this.options.budgetMs ?? (this.target.isFallbackAdapter ? DEFAULT_BUDGET_MS.software : DEFAULT_BUDGET_MS.hardware);
      const limits = { repeats: this.options.repeats ?? DEFAULT_REPEATS };
      // Checked between decisions, so every compileFor makes progress (at least one decision) and
      // the next one continues where the budget stopped this one.
      const deadline = performance.now() + budget;
      const timing = this.timing();
      try {
        let tuned = 0;
        // Algorithms first: their GEMMs (and so the GEMM decisions) depend on them.
        phases: for (const kind of ['conv', 'gemm'] as const) {
          if (kind === 'gemm') decisions = await this.collect(record);
          for (const d of decisions) {
            if (d.kind !== kind || !pending(d)) continue;
            if (tuned > 0 && performance.now() > deadline) break phases;
            tuned++;
            const choice = await tuneDecision(d, timing.timer, limits);
            timing.release();
            if (!choice) continue;
            table.set(this.target.adapter, d.key, choice);
            this.chooser.noteMeasured(d.key);
          }
        }
      } catch (e) {
        this.warn(`kernel autotuning stopped (${errorMessage(e)}); the measured rules choose the remaining kernels`);
      } finally {
        timing.destroy();
      }
    }
    this.lastDecisions = await this.collect(record);
    await this.persist(table);
  }

  /** A dry pass that notes its decisions and builds the pipelines it would use. */
  private async collect(record: () => void): Promise<Decision[]> {
    let decisions: Decision[] = [];
    await this.target.ctx.recorder.compileFor(() => { decisions = this.chooser.collect(record); });
    return decisions;
  }

  private timing(): { timer: CandidateTimer; release(): void; destroy(): void } {
    if (this.options.timer) return { timer: this.options.timer, release() {}, destroy() {} };
    const { ctx, device } = this.target;
    const stopwatch = new TimestampStopwatch(device, ctx.recorder);
    const timer = new GpuCandidateTimer(ctx, device, stopwatch);
    return { timer, release: () => timer.release(), destroy: () => { timer.release(); stopwatch.destroy(); } };
  }

  private table(): Promise<KernelChoiceTable> {
    return (this.loaded ??= (async () => {
      let raw: unknown;
      try {
        raw = await this.options.cache?.load();
      } catch (e) {
        this.warn(`kernel choices could not be read (${errorMessage(e)}); they are measured again`);
      }
      const table = KernelChoiceTable.fromRecord(raw, kernelSetVersion(), this.warn);
      this.chooser.attach(table);
      return table;
    })());
  }

  private async persist(table: KernelChoiceTable): Promise<void> {
    if (!table.changed || !this.options.cache) return;
    try {
      await this.options.cache.save(table.toRecord());
      table.markSaved();
    } catch (e) {
      this.warn(`kernel choices could not be saved (${errorMessage(e)})`);
    }
  }
}
