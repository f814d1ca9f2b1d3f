// "Check gradients": runs the engine's gradient check (on the live run's engine, else the best one
// available), shows its table in the panel and sends it to the host for the log and a notification.

import { errorMessage } from '../engine';
import type { BackendName } from '../engine';
import type { GradCheckSummary } from '../protocol';
import type { ResultOf } from '../rpc';
import { checkGradients } from './engine-protocol';
import type { Engines, PanelModel } from './engines';
import type { History } from './history';
import type { HostLink } from './host-link';
import type { PanelSettings } from './saved-state';
import { byId, h } from './ui/dom';
import { gradCheckTable } from './ui/tables';

export interface GradientCheckDeps {
  readonly engines: Engines;
  readonly history: History;
  readonly host: HostLink;
  panel(): PanelModel | null;
  settings(): PanelSettings | null;
  /** The engine of the live run, if one is going. */
  liveEngine(): BackendName | null;
  /** Running started or ended (controls, saved state). */
  changed(): void;
}

export class GradientCheck {
  private checking = false;

  constructor(private readonly d: GradientCheckDeps) {}

  get running(): boolean {
    return this.checking;
  }

  /** Rejects when the check fails (its card says so too). */
  async run(): Promise<void> {
    if (this.checking) return;
    const panel = this.d.panel();
    if (!panel) throw new Error('the model is still loading');
    byId('gradcheck-card').hidden = false;
    // An explicit webgpu choice without WebGPU is refused, never quietly run on the CPU.
    let kind: BackendName;
    try {
      kind = this.d.liveEngine() ?? await this.d.engines.kindFor(this.d.settings()?.backend ?? 'auto');
    } catch (e) {
      byId('gradcheck').replaceChildren(h('p', { class: 'error' }, `Gradient check not run: ${errorMessage(e)}`));
      throw e;
    }
    const engine = await this.d.engines.ensure(kind, panel);
    this.checking = true;
    const started = performance.now();
    byId('gradcheck').replaceChildren(h('p', { class: 'muted', role: 'status' },
      h('vscode-progress-ring', { class: 'inline-ring' }), ` Checking gradients on the ${kind === 'webgpu' ? 'WebGPU' : 'CPU'} engine…`));
    byId('gradcheck-card').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    this.d.changed();
    try {
      const result = await engine.request(checkGradients, {});
      this.d.history.gradcheck = summary(result, (performance.now() - started) / 1000);
      this.draw();
      this.d.host.notify({ type: 'gradientCheckDone', result: this.d.history.gradcheck });
    } catch (e) {
      byId('gradcheck').replaceChildren(h('p', { class: 'error' }, `Gradient check failed: ${errorMessage(e)}`));
      throw e;
    } finally {
      this.checking = false;
      this.d.changed();
    }
  }

  /** The last result's table (after a reload too). */
  draw(): void {
    const r = this.d.history.gradcheck;
    if (!r) return;
    byId('gradcheck-card').hidden = false;
    byId('gradcheck').replaceChildren(gradCheckTable(r));
  }
}

/** The table's rows, as the host logs them too. */
function summary(r: ResultOf<typeof checkGradients>, seconds: number): GradCheckSummary {
  return {
    backend: r.backend, precision: r.precision, tolerance: r.tolerance, epsilon: r.epsilon, passed: r.passed, seconds,
    reference: r.reference?.backend ?? null,
    tensors: r.tensors.map((t) => ({
      name: t.name, shape: [...t.shape], checked: t.checked, skipped: t.skipped, total: t.total,
      maxRelativeError: t.maxRelativeError, analytic: t.worst.analytic, numeric: t.worst.numeric,
      referenceError: t.referenceError ?? null, passed: t.passed,
    })),
  };
}
