// The panel's plot readbacks for one run: gradient histograms, one test image's feature maps and
// prediction, and the first conv layer's filters. Each capture enqueues its reads at once, between
// two training steps (gradients and feature maps through the engine's Inspector), and reports when
// they arrive while training continues. A capture asked for while the same kind is still in flight
// joins that one instead of queueing another.

import { Inspector, paramName, toFloat32, type Backend, type Dataset, type Network, type Tensor, errorMessage } from '../engine';
import type { FeatureMapPayload } from './engine-protocol';
import type { Emit } from './engine-runner';
import { histogram, l2norm } from './lib/histogram';

/** Bins of the gradient histograms. */
export const HISTOGRAM_BINS = 40;

export class Telemetry {
  private readonly inspector: Inspector;
  private filterSnapshot: Tensor | null = null;
  /** Reads in flight; a capture while one is pending returns it instead of starting another. */
  readonly inFlight: { gradients: Promise<void> | null; features: Promise<void> | null; filters: Promise<void> | null } =
    { gradients: null, features: null, filters: null };
  private readonly firstConv: number;
  private disposed = false;

  constructor(private readonly backend: Backend, private readonly net: Network, private readonly dataset: Dataset, private readonly emit: Emit) {
    this.inspector = new Inspector(backend, net, dataset);
    this.firstConv = net.layers.findIndex((l) => l.spec.kind === 'conv');
  }

  /** Reads every parameter gradient now; bins and reports them asynchronously. */
  gradients(globalStep: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inFlight.gradients) return this.inFlight.gradients;
    return this.track('gradients', this.inspector.gradients().then((gradients) => {
      if (this.disposed) return;
      const tensors = gradients.map(({ name, data }) => {
        const h = histogram(data, HISTOGRAM_BINS);
        return { name, norm: l2norm(data), min: h.min, max: h.max, counts: h.counts };
      });
      this.emit({ type: 'gradients', globalStep, tensors });
    }));
  }

  /**
   * Runs test image `example` (the last one if there are fewer; a training image when there is no
   * test split) through the network and reports its prediction and conv/pool outputs.
   */
  features(example: number, globalStep: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inFlight.features) return this.inFlight.features;
    const which = this.dataset.test.count > 0 ? 'test' : 'train';
    const count = this.dataset[which].count;
    if (count === 0) return Promise.resolve();
    const index = Math.min(example, count - 1);
    return this.track('features', this.inspector.inspect(which, index).then((seen) => {
      if (this.disposed) return;
      const maps = seen.featureMaps.map(({ layer, shape: [c, h, w], data }): FeatureMapPayload =>
        ({ layer, kind: this.net.layers[layer].spec.kind, shape: [c, h, w], data }));
      const [c, h, w] = this.dataset.shape;
      const input: FeatureMapPayload = { layer: -1, kind: 'input', shape: [c, h, w], data: seen.image };
      this.emit({
        type: 'features', globalStep, example: index, label: seen.label, predicted: seen.predicted,
        confidence: seen.probabilities[seen.predicted], input, maps,
      }, [seen.image.buffer as ArrayBuffer, ...maps.map((m) => m.data.buffer as ArrayBuffer)]);
    }));
  }

  /** The first conv layer's kernels. */
  filters(globalStep: number): Promise<void> {
    if (this.firstConv < 0 || this.disposed) return Promise.resolve();
    if (this.inFlight.filters) return this.inFlight.filters;
    const weight = this.net.parameters.find((p) => p.name === paramName(this.firstConv, 'weight'));
    if (!weight) return Promise.resolve();
    const snap = (this.filterSnapshot ??= this.backend.zeros(weight.length));
    this.backend.copy(weight.value, snap);
    this.backend.flush();
    return this.track('filters', this.backend.read(snap).then((values) => {
      if (this.disposed) return;
      const data = toFloat32(values);
      this.emit({ type: 'filters', globalStep, layer: this.firstConv, shape: [...weight.shape], data }, [data.buffer as ArrayBuffer]);
    }));
  }

  dispose(): void {
    this.disposed = true;
  }

  /** Remembers a read in flight until it settles; a failure becomes a `failed` event. */
  private track(kind: keyof Telemetry['inFlight'], read: Promise<void>): Promise<void> {
    const done = read.catch((e: unknown) => this.fail(`reading ${kind}`, e)).finally(() => { this.inFlight[kind] = null; });
    this.inFlight[kind] = done;
    return done;
  }

  private fail(what: string, e: unknown): void {
    if (!this.disposed) this.emit({ type: 'failed', message: `${what}: ${errorMessage(e)}` });
  }
}
