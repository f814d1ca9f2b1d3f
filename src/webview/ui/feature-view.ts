// The network's insides as heat maps: the chosen test image with its prediction, every conv/pool
// layer's feature maps for it, and the first conv layer's filters. Keeps the latest readbacks so it
// can redraw them at a new width.

import type { DatasetPayload, LayerSummary } from '../../protocol';
import type { EngineNotification } from '../engine-protocol';
import { formatPercent } from '../lib/eta';
import { byId, h } from './dom';
import { drawFilters, drawImage, drawPlanes } from './heatmaps';

type FeaturesEvent = Extract<EngineNotification, { type: 'features' }>;
type FiltersEvent = Extract<EngineNotification, { type: 'filters' }>;

export class FeatureView {
  private features: FeaturesEvent | null = null;
  private filters: FiltersEvent | null = null;
  private layers: readonly LayerSummary[] = [];
  private classNames: readonly string[] = [];

  setModel(layers: readonly LayerSummary[], dataset: DatasetPayload): void {
    this.layers = layers;
    this.classNames = dataset.classNames;
  }

  /** Whether a test image has been drawn yet. */
  get hasFeatures(): boolean {
    return this.features !== null;
  }

  showFeatures(e: FeaturesEvent): void {
    this.features = e;
    this.drawFeatures();
  }

  showFilters(e: FiltersEvent): void {
    this.filters = e;
    this.drawFilters();
  }

  drawFeatures(): void {
    const f = this.features;
    if (!f) return;
    const container = byId('features');
    const width = Math.max(120, container.clientWidth - 8);
    drawImage(byId<HTMLCanvasElement>('input-canvas'), f.input.data, f.input.shape, 112);
    const name = (k: number) => this.classNames[k] ?? String(k);
    const right = f.predicted === f.label;
    byId('example-info').replaceChildren(
      h('span', {}, `Test image #${f.example} · label `), h('strong', {}, name(f.label)), h('span', {}, ' · predicted '),
      h('strong', { class: right ? 'ok' : 'wrong' }, name(f.predicted)), h('span', {}, ` (${formatPercent(f.confidence, 0)}) · step ${f.globalStep}`));
    const list = byId('feature-maps');
    const existing = new Map<string, HTMLCanvasElement>();
    for (const c of Array.from(list.querySelectorAll<HTMLCanvasElement>('canvas.feature-map'))) existing.set(c.dataset.layer!, c);
    const sections = f.maps.map((m) => {
      const canvas = existing.get(String(m.layer)) ?? h('canvas', { class: 'feature-map', 'data-layer': m.layer });
      const layer = this.layers.find((l) => l.index === m.layer);
      canvas.setAttribute('aria-label', `Feature maps of layer ${m.layer} (${m.kind}): ${m.shape.join('×')}`);
      drawPlanes(canvas, m.data, m.shape[0], m.shape[2], m.shape[1], width);
      return h('figure', { class: 'feature-layer' },
        h('figcaption', {}, h('span', { class: 'mono' }, `#${m.layer} ${layer?.text ?? m.kind}`), ` → ${m.shape.join('×')}`), canvas);
    });
    if (sections.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, 'This model has no conv or pooling layers, so there are no feature maps to draw.'));
    } else {
      list.replaceChildren(...sections);
    }
    this.drawFilters();
  }

  private drawFilters(): void {
    const f = this.filters;
    if (!f) return;
    const width = Math.max(120, byId('filters-card').clientWidth - 32);
    drawFilters(byId<HTMLCanvasElement>('filters-canvas'), f.data, f.shape, width);
    const layer = this.layers.find((l) => l.index === f.layer);
    byId('filters-info').textContent = `#${f.layer} ${layer?.text ?? 'conv'} · ${f.shape[0]} kernels of ${f.shape.slice(1).join('×')} · step ${f.globalStep} · blue < 0 < red`;
  }
}
