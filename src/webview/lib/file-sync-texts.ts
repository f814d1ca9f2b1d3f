// What the panel says and marks when its model file and its fields differ. Pure, so it is unit-tested.

import { formatCount } from '../../lang';

export interface TrainFieldValues {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
}

export interface Override {
  readonly key: keyof TrainFieldValues;
  /** The field's element id. */
  readonly field: string;
  readonly panel: number;
  readonly file: number;
}

const FIELDS: readonly [keyof TrainFieldValues, string][] = [['epochs', 'epochs'], ['batch', 'batch'], ['lr', 'lr']];

/** The panel's values that differ from the file's train line. */
export function overrides(panel: TrainFieldValues, file: TrainFieldValues): Override[] {
  return FIELDS.filter(([key]) => panel[key] !== file[key]).map(([key, field]) => ({ key, field, panel: panel[key], file: file[key] }));
}

/** The tooltip of an overridden field. */
export function overrideTitle(o: Override): string {
  return `Set here for the next run; the file's train line says ${o.key}=${o.file}. "Write to train line" puts ${o.panel} there.`;
}

/** The banner after the file's network changed (or broke) since the panel loaded it. */
export function modelChangedText(m: { readonly parameters: number | null; readonly errors: number }, loadedParameters: number): string {
  if (m.errors > 0) {
    return `The model file changed since this panel loaded it and now has ${m.errors} error${m.errors === 1 ? '' : 's'}; ` +
      `this panel keeps training the model as it was loaded (${formatCount(loadedParameters)} parameters).`;
  }
  const now = m.parameters === loadedParameters ? `${formatCount(m.parameters ?? 0)} parameters, as before` :
    `${formatCount(m.parameters ?? 0)} parameters now, ${formatCount(loadedParameters)} in this panel`;
  return `The model changed since this panel loaded it (${now}): run "Train model" again to use it.`;
}
