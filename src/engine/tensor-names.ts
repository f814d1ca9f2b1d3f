// The names every tensor of a model goes by, from the layers and the optimizer that create them to
// the checkpoints, gradient checks and panel plots that refer to them: `layers.<i>.<kind>` for
// spec.layers[i]'s parameters and saved state, `optim.<tensor>.<slot>` for optimizer state.
// Checkpoints store whatever names they are given; docs/checkpoints.md documents these ones.

/** Tensors of spec.layers[i]: conv/dense `weight`, `bias`; batchnorm `weight` (γ), `bias` (β), `running_mean`, `running_var`. */
export type ParamKind = 'weight' | 'bias' | 'running_mean' | 'running_var';
/** Per-parameter optimizer state: SGD's momentum buffer, Adam's first and second moments. */
export type OptimizerStateKind = 'momentum' | 'adam_m' | 'adam_v';

/** "layers.3.weight" */
export function paramName(layerIndex: number, kind: ParamKind): string {
  return `layers.${layerIndex}.${kind}`;
}

/** "optim.layers.3.weight.adam_m" */
export function optimizerStateName(param: string, slot: OptimizerStateKind): string {
  return `optim.${param}.${slot}`;
}

/** The spec.layers index a layer tensor's name starts with ("layers.3.bias" → 3), else null. */
export function layerIndexOf(name: string): number | null {
  const match = /^layers\.(\d+)\./.exec(name);
  return match ? Number(match[1]) : null;
}
