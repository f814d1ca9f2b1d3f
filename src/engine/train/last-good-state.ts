// A host copy of the trainer's state as of its latest report, for when the device is lost (a driver
// reset, out of memory): what it trained is gone with it, so the caller continues from this copy on
// a new device or on the cpu (Trainer.restoreState).
//
// Trade-off: a lost device can no longer be read, so the copy must be taken before the loss. It is
// opt-in (TrainerOptions.lastGoodStateEvery) and costs one read of every weight, buffer and optimizer
// slot per `every` reports, never a stall: the reads are all enqueued at the report, before the next
// step, so they see exactly the reported step while later steps are already queued. The copy is
// kept once its reads have arrived and the report's own metrics have been handled (they bring the
// epoch's totals and say whether the step was good). Cheaper would be none at all; a cpu mirror
// would train everything twice, and a read at each step would stall every step.

import type { FloatArray } from '../backend';
import { TrainError } from './errors';
import type { TrainerSettings } from './settings';
import type { StateParts, TrainerState, TrainingProgress } from './state';
import { toFloat32 } from '../network';

/** What a captured state belongs to, besides the tensors. */
export interface CaptureContext {
  readonly stepsPerEpoch: number;
  readonly settings: TrainerSettings;
  readonly dataName: string;
}

/**
 * Completes a capture from the report's metrics handler: the epoch's totals including that report,
 * or null when the report was not good (a non-finite loss) and the copy must not be kept.
 */
export type CaptureCompletion = (totals: readonly [number, number, number] | null) => void;

export class LastGoodState {
  private kept: TrainerState | null = null;
  private reportsSinceCapture = 0;

  /** `every`: reports between host copies; 0 keeps none. */
  constructor(private readonly every: number) {
    if (!Number.isInteger(every) || every < 0) throw new TrainError(`lastGoodStateEvery must be a whole number ≥ 0, got ${every}`);
  }

  /** The latest complete copy, or null (none asked for, or no report completed yet). */
  get state(): TrainerState | null { return this.kept; }

  /** Call at a report, before the next step is enqueued; null when no copy is due. */
  capture(parts: StateParts, at: TrainingProgress, context: CaptureContext): CaptureCompletion | null {
    if (this.every === 0 || ++this.reportsSinceCapture < this.every) return null;
    this.reportsSinceCapture = 0;
    const { backend, network, optimizer } = parts;
    const sources = [
      ...network.parameters.map((p) => ({ name: p.name, shape: p.shape, tensor: p.value })),
      ...network.buffers.map((b) => ({ name: b.name, shape: [b.length], tensor: b.tensor })),
      ...optimizer.slots.map((s) => ({ name: s.name, shape: [s.length], tensor: s.tensor })),
    ];
    const reads = sources.map((s) => backend.read(s.tensor));
    const endsEpoch = at.stepInEpoch === context.stepsPerEpoch;
    const epoch = endsEpoch ? at.epoch + 1 : at.epoch, step = at.globalStep, optimizerSteps = optimizer.steps;
    const { epochs: _epochs, ...settings } = context.settings;
    let data: FloatArray[] | null = null;
    let totals: readonly [number, number, number] | null | undefined;
    const keepWhenComplete = () => {
      if (!data || !totals) return;
      const tensors = new Map(sources.map((s, i) => [s.name, { shape: s.shape, data: toFloat32(data![i]) }]));
      this.kept = {
        tensors, epoch, step, optimizerSteps, epochTotals: endsEpoch ? [0, 0, 0] : [totals[0], totals[1], totals[2]],
        settings, dataName: context.dataName,
      };
    };
    Promise.all(reads).then((d) => { data = d; keepWhenComplete(); },
      () => { /* the device was lost before the copy arrived: the previous one stays; run() reports the loss */ });
    return (t) => { totals = t && [t[0], t[1], t[2]]; keepWhenComplete(); };
  }
}
