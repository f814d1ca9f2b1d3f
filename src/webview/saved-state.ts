// What the panel keeps across a VS Code reload (webview setState/getState) and how it is read back.
// The saved state comes from an earlier page, possibly an older ConvLab, through JSON: it is checked
// like a message. A bad header (version, model URI) rejects all of it; after that every field is read
// on its own, so one bad field costs only that field, each rejection with its reason.
// Pure: unit-tested.

import * as v from 'valibot';
import {
  BACKEND_CHOICES, gradCheckRowSchema, gradCheckSummarySchema, panelStateHeaderSchema, TRAINING_STATES,
} from '../protocol';
import { anyNumber, int, learningRate, list, num, parse, refine, str, tryParse } from '../schema';

/** Points kept per series. */
export const MAX_SAVED_POINTS = 600;
/** Newton iterations kept (and saved): far more than a Newton run takes. */
export const MAX_NEWTON_ROWS = 5000;

/** The panel's controls. */
export const panelSettingsSchema = v.object({
  epochs: int(1, 100_000),
  batch: int(1, 4096),
  lr: learningRate,
  backend: v.picklist(BACKEND_CHOICES),
  plotEvery: int(1, 100_000),
  example: int(0, 1 << 26),
});
export type PanelSettings = v.InferOutput<typeof panelSettingsSchema>;

/**
 * The settings to save, field by field: each field's current value when it is valid, else its last
 * valid one — never made-up values. Null until every field has held a valid value.
 */
export function settingsToSave(last: PanelSettings | null, valid: Partial<PanelSettings>): PanelSettings | null {
  const r = v.safeParse(panelSettingsSchema, { ...last, ...valid });
  return r.success ? r.output : last;
}

// JSON turns NaN and ±Infinity (a diverged loss) into null: read back as NaN, which plots as a gap.
const savedNumber = v.pipe(v.nullable(anyNumber), v.transform((x) => x ?? NaN));
const series = list(savedNumber, MAX_SAVED_POINTS);

const sameLength = (arrays: Record<string, readonly unknown[]>) => {
  const [first, ...rest] = Object.entries(arrays);
  const bad = rest.find(([, a]) => a.length !== first[1].length);
  return bad ? { path: [bad[0]], problem: `has ${bad[1].length} values, ${first[0]} has ${first[1].length}` } : null;
};

const fields = {
  settings: panelSettingsSchema,
  status: v.picklist(TRAINING_STATES),
  progress: v.object({ epoch: int(), epochs: int(), globalStep: int(), totalSteps: int() }),
  loss: v.pipe(v.object({ x: list(num(0), MAX_SAVED_POINTS), y: series }), refine((l) => sameLength({ x: l.x, y: l.y }))),
  accuracy: v.pipe(
    v.object({ epoch: list(int(), 100_000), train: list(v.nullable(num(0, 1)), 100_000), test: list(v.nullable(num(0, 1)), 100_000) }),
    refine((a) => sameLength({ epoch: a.epoch, train: a.train, test: a.test })),
  ),
  gradNorms: v.pipe(
    v.object({ names: list(str(500), 10_000), x: list(num(0), MAX_SAVED_POINTS), y: list(series, 10_000) }),
    refine((g) => {
      if (g.y.length !== g.names.length) return { path: ['y'], problem: `has ${g.y.length} series for ${g.names.length} names` };
      const i = g.y.findIndex((y) => y.length !== g.x.length);
      return i < 0 ? null : { path: ['y', i], problem: `has ${g.y[i].length} values, x has ${g.x.length}` };
    }),
  ),
  confusion: v.nullable(list(list(int(), 1 << 16), 1 << 16)),
  gradcheck: v.nullable(v.object({
    ...gradCheckSummarySchema.entries,
    tensors: list(v.object({
      ...gradCheckRowSchema.entries,
      maxRelativeError: savedNumber, analytic: savedNumber, numeric: savedNumber, referenceError: v.nullable(anyNumber),
    }), 100_000),
  })),
  /** The last checkpoint written, for "Resume from checkpoint" after the reload. */
  checkpoint: v.nullable(str(4000)),
  /** optimizer=newton's iterations (history.ts NewtonRow); none in states saved before Newton could run. */
  newton: v.optional(list(v.object({
    iteration: int(), f: savedNumber, gradientNorm: savedNumber, stepSize: savedNumber, cgIterations: int(),
    actualReduction: savedNumber, predictedReduction: savedNumber, lambda: savedNumber, testAccuracy: v.nullable(num(0, 1)),
  }), MAX_NEWTON_ROWS), []),
  /** The cards and settings folded to their titles (sections.ts); none in states saved before folding existed. */
  folded: v.optional(list(str(40), 64), []),
};
type Fields = { [K in keyof typeof fields]: v.InferOutput<(typeof fields)[K]> };
type Header = v.InferOutput<typeof panelStateHeaderSchema>;

/** `settings` is left out until the fields have held valid values (never saved as made-up ones). */
export type SavedState = Header & Omit<Fields, 'settings'> & Partial<Pick<Fields, 'settings'>>;
/** A saved state as read back: the header, and each field that passed its check. */
export type RestoredState = Header & Partial<Fields>;

export interface SavedStateReading {
  /** null when there was none (a new panel) or its header was bad. */
  readonly state: RestoredState | null;
  /** One line per rejection, for the log. */
  readonly problems: readonly string[];
}

export function readSavedState(raw: unknown): SavedStateReading {
  if (raw === undefined || raw === null) return { state: null, problems: [] };
  const header = tryParse((x) => parse(panelStateHeaderSchema, x, 'state'), raw);
  if (!header.ok) return { state: null, problems: [`ignored the panel's saved state: ${header.error}`] };
  // The header parsed, so raw is an object.
  const record = raw as Record<string, unknown>;
  const state: RestoredState = { ...header.message };
  const problems: string[] = [];
  const read = <K extends keyof Fields>(key: K): void => {
    const field = tryParse((x) => parse(fields[key], x, `state.${key}`) as Fields[K], record[key]);
    if (field.ok) (state as Partial<Fields>)[key] = field.message;
    else problems.push(`ignored part of the panel's saved state: ${field.error}`);
  };
  for (const key of Object.keys(fields) as (keyof Fields)[]) read(key);
  return { state, problems };
}
