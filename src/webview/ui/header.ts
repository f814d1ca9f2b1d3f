// The panel's header and model card: the model's name, data set and size, its layers with their
// output shapes, and the engine badge (what this panel can run on, then what a run runs on).

import type { BackendName } from '../../engine';
import type { DatasetPayload, ModelPayload } from '../../protocol';
import type { WebGpuProbe } from '../engine-client';
import { byId, h } from './dom';

export function showModel(m: ModelPayload, d: DatasetPayload): void {
  document.title = `Train ${m.name}`;
  byId('title').textContent = m.name;
  byId('subtitle').textContent = `${d.description} · ${m.totalParams.toLocaleString('en-US')} parameters`;
  byId('subtitle').title = m.path;
  byId('layers').replaceChildren(...m.layers.map((l) => h('li', {},
    h('span', { class: 'mono' }, `#${l.index} ${l.text}`), ' → ', h('span', { class: 'mono' }, l.output ? l.output.join('×') : '?'))));
}

/** What the probe found; the text only until a run names its own backend. */
export function showAvailability(probe: WebGpuProbe, runStarted: boolean): void {
  const badge = byId('backend-badge');
  badge.dataset.available = probe.available ? 'webgpu' : 'cpu';
  if (runStarted) return;
  badge.textContent = probe.available ? `WebGPU available · ${adapterName(probe.description)}` : 'CPU engine (no WebGPU)';
}

export function showBackend(name: BackendName, description: string): void {
  const badge = byId('backend-badge');
  badge.dataset.backend = name;
  badge.textContent = name === 'webgpu' ? `WebGPU · ${adapterName(description)}` : `CPU · ${description} · worker`;
}

/** "webgpu (SwiftShader …)" → "SwiftShader …". */
function adapterName(description: string): string {
  return description.replace(/^webgpu \((.*)\)$/, '$1');
}
