// The last analysis in which every layer had a shape, kept per document so that a shape error while
// typing (`kernel=30`) does not blank the hints below it: the unknown layers are matched to their old
// selves by statement text and shown with their last known figures, marked stale. Pure.
import type { LayerInfo } from '../lang';

/** Each layer of a fully shaped analysis with its statement's text at the time. */
export interface ShapeSnapshot {
  readonly layers: readonly { readonly text: string; readonly info: LayerInfo }[];
}

/** A snapshot of `layers`, or null when some layer has no shape (nothing worth keeping). */
export function snapshotOf(layers: readonly LayerInfo[], textOf: (info: LayerInfo) => string): ShapeSnapshot | null {
  if (layers.some((l) => !l.output)) return null;
  return { layers: layers.map((info) => ({ text: textOf(info), info })) };
}

/**
 * Last known figures for the current layers whose shape is unknown, by current layer index.
 * Layers are matched the way an edit leaves them: the unchanged statements before the edit from the
 * front, the unchanged ones after it from the back; in between (the edited lines), one for one when
 * the count and kinds still agree.
 */
export function lastKnownShapes(
  snapshot: ShapeSnapshot | null | undefined, layers: readonly LayerInfo[], textOf: (info: LayerInfo) => string,
): Map<number, LayerInfo> {
  const out = new Map<number, LayerInfo>();
  if (!snapshot || layers.every((l) => l.output)) return out;
  const old = snapshot.layers;
  const texts = layers.map(textOf);
  const shortest = Math.min(old.length, layers.length);
  let front = 0;
  while (front < shortest && old[front]!.text === texts[front]) front++;
  let back = 0;
  while (back < shortest - front && old[old.length - 1 - back]!.text === texts[layers.length - 1 - back]) back++;
  const oldIndexOf = (i: number): number | undefined => {
    if (i < front) return i;
    if (i >= layers.length - back) return i - layers.length + old.length;
    const sameCount = old.length - front - back === layers.length - front - back;
    return sameCount && old[i]!.info.layer.kind === layers[i]!.layer.kind ? i : undefined;
  };
  for (const info of layers) {
    if (info.output) continue;
    const j = oldIndexOf(info.index);
    if (j !== undefined) out.set(info.index, old[j]!.info);
  }
  return out;
}
