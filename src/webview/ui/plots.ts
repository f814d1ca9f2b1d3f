// The history's charts (training loss, accuracy per epoch, gradient norms per layer, the gradient
// histogram) and the confusion matrix, drawn from History. The data-* attributes on the chart
// elements tell the e2e tests what is plotted.

import { layerIndexOf } from '../../engine';
import type { DatasetPayload, LayerSummary } from '../../protocol';
import type { History } from '../history';
import { formatNumber, formatPercent } from '../lib/eta';
import { binCenters } from '../lib/histogram';
import { decimate, smooth } from '../lib/series';
import { chosenTensor, tensorOptions } from '../lib/tensor-options';
import { Chart, type SeriesStyle } from './charts';
import { byId, h } from './dom';
import { NewtonView } from './newton-view';
import { confusionTable } from './tables';

/** Smoothing of the loss and gradient-norm curves (TensorBoard's default is 0.6; steps are reported every few steps). */
const SMOOTHING = 0.8;
/** Points drawn per chart (min/max decimation keeps spikes). */
const MAX_DRAWN_POINTS = 1200;

export class Plots {
  private readonly charts: { loss: Chart; accuracy: Chart; gradNorms: Chart; histogram: Chart };
  private readonly newton: NewtonView;
  private layers: readonly LayerSummary[] = [];
  private classNames: readonly string[] = [];
  /** The tensor names the histogram menu lists now, newline-joined. */
  private histogramTensors = '';

  constructor(private readonly history: History) {
    this.charts = {
      loss: new Chart(byId('loss-chart'), {
        xLabel: 'step', yLabel: 'loss',
        series: [{ label: 'loss', color: 0, alpha: 0.35, width: 1 }, { label: `smoothed (${SMOOTHING})`, color: 0, width: 2 }],
        yFormat: formatNumber,
      }),
      accuracy: new Chart(byId('accuracy-chart'), {
        xLabel: 'epoch', yLabel: 'accuracy', yWithin: [0, 1], yFormat: (v) => formatPercent(v, 0), xIncrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        series: [{ label: 'train', color: 0, points: true, width: 2 }, { label: 'test', color: 1, points: true, width: 2 }],
      }),
      gradNorms: new Chart(byId('gradnorm-chart'), { xLabel: 'step', yLabel: '‖∇‖ (log)', yLog: true, series: [], yFormat: formatNumber }),
      histogram: new Chart(byId('histogram-chart'), { xLabel: 'gradient value', yLabel: 'count', bars: true, series: [{ label: 'count', color: 2 }], xFormat: formatNumber }),
    };
    this.newton = new NewtonView(history);
    byId('histogram-select').addEventListener('change', () => this.drawHistogram());
  }

  /** Layer names for the gradient series and the histogram's tensor list; class names for the confusion matrix. */
  setModel(layers: readonly LayerSummary[], dataset: DatasetPayload): void {
    this.layers = layers;
    this.classNames = dataset.classNames;
    // The menu is filled from the tensors the engine reports (drawHistogram).
    this.histogramTensors = '';
    (byId('histogram-select') as HTMLElement).replaceChildren();
  }

  /** Everything, e.g. after a reload restored the history. */
  drawAll(): void {
    this.resetGradNormSeries();
    this.drawLoss();
    this.drawAccuracy();
    this.drawGradNorms();
    this.drawHistogram();
    this.drawConfusion();
    this.drawNewton();
  }

  /** Canvas colours come from the theme: rebuild every chart. */
  onThemeChange(): void {
    for (const c of Object.values(this.charts)) c.rebuild();
    this.newton.rebuild();
    this.drawAll();
  }

  /** optimizer=newton's iterations (hidden while there are none). */
  drawNewton(): void {
    this.newton.draw();
  }

  /** After History.reset: empty charts and placeholders. */
  clear(): void {
    this.charts.gradNorms.setSeries([], [], []);
    byId('confusion').replaceChildren(h('p', { class: 'muted' }, 'Appears after the first epoch.'));
    this.drawLoss();
    this.drawAccuracy();
    this.drawNewton();
  }

  drawLoss(): void {
    const loss = this.history.loss;
    const { x, y } = decimate(loss.x, loss.y, MAX_DRAWN_POINTS);
    const smoothed = smooth(loss.y, SMOOTHING);
    const ds = decimate(loss.x, smoothed, MAX_DRAWN_POINTS);
    // Both decimated on the same x buckets only when no decimation happened; otherwise align by lookup.
    const sy = x.length === ds.x.length ? ds.y : x.map((xv) => smoothed[Math.max(0, lowerBound(loss.x, xv))]);
    this.charts.loss.setData(x, [y, sy]);
    const el = byId('loss-chart');
    const n = loss.length;
    el.dataset.points = String(n);
    if (n > 0) {
      el.dataset.first = String(smoothed[0]);
      el.dataset.last = String(smoothed[n - 1]);
      el.setAttribute('aria-label', `Training loss: ${n} reports, smoothed from ${formatNumber(smoothed[0])} to ${formatNumber(smoothed[n - 1])}`);
    }
  }

  drawAccuracy(): void {
    const a = this.history.accuracy;
    this.charts.accuracy.setData(a.epoch, [a.train, a.test]);
    byId('accuracy-chart').dataset.epochs = String(a.epoch.length);
  }

  /** After new gradients: `layersChanged` when History.addGradients started new series. */
  drawGradients(layersChanged: boolean): void {
    if (layersChanged) this.resetGradNormSeries();
    this.drawGradNorms();
    this.drawHistogram();
    byId('gradnorm-chart').dataset.points = String(this.history.gradNorms.series[0]?.length ?? 0);
  }

  drawConfusion(): void {
    const confusion = this.history.confusion;
    if (!confusion || confusion.length === 0) return;
    byId('confusion').replaceChildren(confusionTable(confusion, this.classNames));
  }

  private resetGradNormSeries(): void {
    // Like the loss: each layer's norms faint, their smoothing over them.
    const styles = this.history.gradNorms.names.flatMap((n, i): SeriesStyle[] => {
      const index = layerIndexOf(n);
      const layer = this.layers.find((l) => l.index === index);
      const label = layer ? `#${layer.index} ${layer.kind}` : n;
      return [{ label, color: i, alpha: 0.35, width: 1 }, { label: `${label} smoothed (${SMOOTHING})`, color: i, width: 1.5 }];
    });
    this.charts.gradNorms.setSeries(styles, [], styles.map(() => []));
  }

  private drawGradNorms(): void {
    const series = this.history.gradNorms.series;
    if (series.length === 0) return;
    const base = series[0];
    const ys = series.flatMap((s) => [everyKth(s.y, base.length), everyKth(smooth(s.y, SMOOTHING), base.length)]);
    this.charts.gradNorms.setData(everyKth(base.x, base.length), ys);
  }

  private drawHistogram(): void {
    const select = byId('histogram-select') as HTMLElement & { value: string };
    const gradients = this.history.latestGradients;
    const names = gradients.map((g) => g.name);
    if (names.join('\n') !== this.histogramTensors) {
      const previous = select.value;
      const options = tensorOptions(names, this.layers);
      select.replaceChildren(...options.map((o) => h('vscode-option', { value: o.value }, o.label)));
      this.histogramTensors = names.join('\n');
      const chosen = chosenTensor(options, previous);
      if (chosen !== undefined) select.value = chosen;
    }
    const t = gradients.find((g) => g.name === select.value);
    if (!t) return;
    const centers = binCenters({ min: t.min, max: t.max, counts: t.counts, nonFinite: 0 });
    this.charts.histogram.setData(centers, [t.counts]);
    byId('histogram-info').textContent = `${t.name} · ‖∇‖ = ${formatNumber(t.norm)} · range ${formatNumber(t.min)} … ${formatNumber(t.max)}`;
  }
}

/** Index of the first x ≥ value in an ascending array. */
function lowerBound(xs: ArrayLike<number>, value: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every k-th of the first `length` values so a series fits MAX_DRAWN_POINTS (gradient norms are smooth; all series share x). */
function everyKth(values: ArrayLike<number>, length: number): number[] {
  const k = Math.max(1, Math.ceil(length / MAX_DRAWN_POINTS));
  const out: number[] = [];
  for (let i = 0; i < Math.min(length, values.length); i += k) out.push(values[i]);
  return out;
}
