// What a Trainer is built from: the model, its data, the backend and how the loop reports.

import type { ModelSpec } from '../../lang/spec';
import type { Backend } from '../backend';
import type { Dataset, Split } from '../data/dataset';
import type { TrainEvent } from './events';
import type { TrainerSettings } from './settings';

export interface TrainerOptions {
  readonly spec: ModelSpec;
  readonly dataset: Dataset;
  readonly backend: Backend;
  /** Overrides of spec.train (CLI flags, panel controls). */
  readonly settings?: Partial<TrainerSettings>;
  /** A separate validation split (instead of a fraction of the training split). */
  readonly validationSplit?: Split;
  readonly onEvent?: (event: TrainEvent) => void;
  /** Steps between metric read-backs and `step` events (default 10). */
  readonly reportEvery?: number;
  /** Evaluate on the test split after every epoch (default true). */
  readonly evaluateEachEpoch?: boolean;
  /**
   * Reports between host copies of the state, for lastGoodState() after a lost device (default 0:
   * none). Each copy reads every weight, buffer and optimizer slot once; see last-good-state.ts.
   */
  readonly lastGoodStateEvery?: number;
  /** Milliseconds clock (default performance.now). */
  readonly now?: () => number;
}
