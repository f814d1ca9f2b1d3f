// Does a data set fit the model it is to train? Checked once, before any tensor is allocated for it,
// with messages that name the data set and both shapes (or the stray label's file and record).

import type { ModelSpec } from '../../lang/spec';
import type { Dataset, Split } from '../data/dataset';
import { labelOutOfRange } from '../data/labels';
import { TrainError } from './errors';

/** The model's input shape, which must be the data set's example shape. */
export function checkInputShape(spec: ModelSpec, dataset: Dataset): readonly [number, number, number] {
  if (!spec.input) throw new TrainError('the model has no valid `input` statement');
  const [c, h, w] = spec.input, [dc, dh, dw] = dataset.shape;
  if (c !== dc || h !== dh || w !== dw) {
    throw new TrainError(`data set '${dataset.name}' has ${dc}×${dh}×${dw} examples but the model's input is ${c}×${h}×${w}`);
  }
  return spec.input;
}

export function checkClasses(dataset: Dataset, classes: number): void {
  if (dataset.classes === classes) return;
  // Name the file, example and value when one label is out of range; else the class counts differ.
  throw labelOutOfRange(dataset, classes)
    ?? new TrainError(`data set '${dataset.name}' has ${dataset.classes} classes but the model outputs ${classes} class scores`);
}

export function checkValidationSplit(split: Split | undefined, [c, h, w]: readonly [number, number, number]): void {
  if (split && split.images.length !== split.count * c * h * w) {
    throw new TrainError(`the validation split has ${split.images.length} values for ${split.count} examples; the model's input needs ${c}×${h}×${w} per example`);
  }
}
