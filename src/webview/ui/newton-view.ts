// optimizer=newton's own plots: the objective f, the gradient norm ‖∇f‖ and the damping λ per
// iteration (log scale), and a table of the latest iterations with what simpleNN's newton.m prints:
// step size, CG steps, actual/predicted reduction. The card stays hidden for sgd and adam runs.

import type { History, NewtonRow } from '../history';
import { formatNumber, formatPercent } from '../lib/eta';
import { Chart } from './charts';
import { byId, h } from './dom';

/** Rows the table shows (the chart shows them all). */
const TABLE_ROWS = 8;

export class NewtonView {
  private readonly chart: Chart;

  constructor(private readonly history: History) {
    this.chart = new Chart(byId('newton-chart'), {
      xLabel: 'iteration', yLabel: 'log scale', yLog: true, yFormat: formatNumber, xIncrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      series: [
        { label: 'f', color: 0, width: 2, points: true },
        { label: '‖∇f‖', color: 1, width: 1.5, points: true },
        { label: 'λ', color: 3, width: 1.5, dash: [4, 3], points: true },
      ],
    });
  }

  rebuild(): void {
    this.chart.rebuild();
    this.draw();
  }

  draw(): void {
    const rows = this.history.newton;
    byId('newton-card').hidden = rows.length === 0;
    const el = byId('newton-chart');
    el.dataset.iterations = String(rows.length);
    if (rows.length === 0) return;
    // A log axis has no place for 0 (a zero gradient, a λ driven to 0): those points are gaps.
    const positive = (v: number) => (v > 0 && Number.isFinite(v) ? v : null);
    this.chart.setData(rows.map((r) => r.iteration), [rows.map((r) => positive(r.f)), rows.map((r) => positive(r.gradientNorm)), rows.map((r) => positive(r.lambda))]);
    const last = rows[rows.length - 1]!;
    el.setAttribute('aria-label', `Newton iterations: ${rows.length}, f from ${formatNumber(rows[0]!.f)} to ${formatNumber(last.f)}`);
    el.dataset.lastF = String(last.f);
    el.dataset.firstF = String(rows[0]!.f);
    byId('newton-table').replaceChildren(newtonTable(rows.slice(-TABLE_ROWS)));
  }
}

function newtonTable(rows: readonly NewtonRow[]): HTMLTableElement {
  const ratio = (r: NewtonRow) => (r.predictedReduction !== 0 ? formatNumber(r.actualReduction / r.predictedReduction) : '—');
  return h('table', { class: 'newton', 'aria-label': 'The latest Newton iterations' },
    h('thead', {}, h('tr', {}, ...[['iter'], ['f'], ['‖∇f‖'], ['step α', 'detail'], ['CG'], ['actual / predicted', 'detail'], ['λ'], ['test']]
      .map(([c, cls]) => h('th', { scope: 'col', class: cls }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', { class: r.stepSize === 0 ? 'rejected' : '', title: r.stepSize === 0 ? 'the line search found no decrease: the weights were kept and λ raised' : '' },
      h('td', {}, String(r.iteration)),
      h('td', {}, formatNumber(r.f)),
      h('td', {}, formatNumber(r.gradientNorm)),
      h('td', { class: 'detail' }, formatNumber(r.stepSize)),
      h('td', {}, String(r.cgIterations)),
      h('td', { class: 'detail' }, ratio(r)),
      h('td', {}, formatNumber(r.lambda)),
      h('td', {}, r.testAccuracy === null ? '—' : formatPercent(r.testAccuracy))))));
}
