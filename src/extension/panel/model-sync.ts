// Keeping a panel in step with its model file: after the panel loaded a model, each new analysis of
// the file is compared with what the panel has. A changed network (layers, input, loss, data) is news
// the person must hear ("Train model again to use it"); changed train settings only move what the
// panel marks as overrides. Pure, so it is unit-tested.

import type { Analysis, ModelSpec } from '../../lang';
import type { HostNotification, ModelPayload } from '../../protocol';

type ModelChanged = Extract<HostNotification, { type: 'modelChanged' }>;

/** What the panel should hear about `now`, or null when nothing it shows changed since `lastSent`. */
export function modelChange(loaded: ModelPayload, now: Analysis, lastSent: ModelChanged | null): ModelChanged | null {
  const errors = now.diagnostics.filter((d) => d.severity === 'error').length;
  const { epochs, batch, lr } = now.spec.train;
  const message: ModelChanged = {
    type: 'modelChanged',
    networkChanged: errors > 0 || networkKey(now.spec) !== networkKey(loaded.spec),
    parameters: errors > 0 ? null : now.totalParams,
    errors,
    train: { epochs, batch, lr },
  };
  const previous = lastSent ?? { ...message, networkChanged: false, parameters: loaded.totalParams, errors: 0, train: trainOf(loaded.spec) };
  return JSON.stringify(previous) === JSON.stringify(message) ? null : message;
}

function trainOf(spec: ModelSpec): ModelChanged['train'] {
  return { epochs: spec.train.epochs, batch: spec.train.batch, lr: spec.train.lr };
}

/** The network as training sees it: where each line sits in the file does not matter. */
function networkKey(spec: ModelSpec): string {
  return JSON.stringify({ input: spec.input, layers: spec.layers, loss: spec.loss.kind, data: spec.train.data },
    (key, value: unknown) => (key === 'line' || key === 'range' ? undefined : value));
}
