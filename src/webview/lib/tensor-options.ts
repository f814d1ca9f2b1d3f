// The gradient histogram's tensor menu, built from the tensors the engine actually reports, so a
// layer without a bias never offers one (and choosing it never shows another tensor instead).

import { layerIndexOf } from '../../engine';
import type { LayerSummary } from '../../protocol';

export interface TensorOption {
  /** The tensor's name, e.g. `layers.3.weight`. */
  readonly value: string;
  /** `#3 dense 120 · weight`. */
  readonly label: string;
}

export function tensorOptions(names: readonly string[], layers: readonly LayerSummary[]): TensorOption[] {
  return names.map((name) => {
    const index = layerIndexOf(name);
    const layer = index === null ? undefined : layers.find((l) => l.index === index);
    const kind = name.slice(name.lastIndexOf('.') + 1);
    return { value: name, label: layer ? `#${layer.index} ${layer.text} · ${kind}` : name };
  });
}

/** The option to show: the current choice if it still exists, else the first. */
export function chosenTensor(options: readonly TensorOption[], current: string | undefined): string | undefined {
  return options.some((o) => o.value === current) ? current : options[0]?.value;
}
