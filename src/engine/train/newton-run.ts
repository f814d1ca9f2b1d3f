// optimizer=newton's loop: one Newton iteration (engine/newton) per epoch, pause and stop honoured
// between iterations; each reports a `newton` event, then an `epoch` event with the evaluations.
// The sgd/adam loop stays in trainer.ts; what this loop needs from the trainer is NewtonRunParts.

import type { NewtonTraining } from '../newton/newton-training';
import type { EpochClock } from './epoch-clock';
import type { EpochEvaluations } from './evaluation';
import type { TrainEvent } from './events';
import type { LastGoodState } from './last-good-state';
import type { TrainerSettings } from './settings';
import type { StateParts, TrainingProgress } from './state';
import type { StepGate } from './step-gate';

/** The trainer's parts a Newton run uses. */
export interface NewtonRunParts {
  readonly settings: TrainerSettings;
  readonly dataName: string;
  /** Training examples, the objective's size. */
  readonly trainExamples: number;
  readonly gate: Pick<StepGate, 'pass' | 'stop' | 'status' | 'releaseSteps'>;
  readonly clock: EpochClock;
  readonly lastGood: LastGoodState;
  /** The position now: restoreState() may replace it while the run waits paused. */
  position(): TrainingProgress;
  stateParts(): StateParts;
  evaluateEpoch(): Promise<EpochEvaluations>;
  emit(event: TrainEvent): void;
}

/** Iterates until every epoch is done, stop() is called or `untilStep` iterations are taken in all. */
export async function runNewton(newton: NewtonTraining, parts: NewtonRunParts, untilStep: number): Promise<'completed' | 'stopped'> {
  const { gate, clock, settings } = parts;
  while (parts.position().epoch < settings.epochs) {
    if (parts.position().globalStep >= untilStep) gate.stop();
    if (!(await gate.pass())) return 'stopped';
    const single = gate.status === 'paused';
    clock.startEpoch();
    const it = await newton.iterate();
    const trainSeconds = clock.trainSeconds();
    const { test, validation } = await parts.evaluateEpoch();
    const examples = parts.trainExamples, at = parts.position();
    at.globalStep++;
    at.stepInEpoch = 1;
    parts.lastGood.capture(parts.stateParts(), at, { stepsPerEpoch: 1, settings, dataName: parts.dataName })
      ?.([it.loss * examples, it.accuracy * examples, examples]);
    at.epoch++;
    at.stepInEpoch = 0;
    const seconds = clock.seconds();
    parts.emit({
      type: 'newton', iteration: it.iteration, f: it.f, previousF: it.previousF, loss: it.loss, gradientNorm: it.gradientNorm, stepSize: it.stepSize,
      cgIterations: it.cgIterations, actualReduction: it.actualReduction, predictedReduction: it.predictedReduction, lambda: it.lambda,
      backtracks: it.backtracks, subsampleSize: newton.subsampleSize, trainAccuracy: it.accuracy,
      validationAccuracy: validation?.accuracy ?? null, testAccuracy: test?.accuracy ?? null, seconds,
    });
    parts.emit({
      type: 'epoch', epoch: at.epoch, loss: it.loss, trainAccuracy: it.accuracy,
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, validationAccuracy: validation?.accuracy ?? null,
      // Examples through the forward pass of the objective's evaluations: the line search's tries and the gradient.
      seconds, imagesPerSecond: examples * (it.backtracks + 2) / trainSeconds,
    });
    if (single) gate.releaseSteps();
  }
  return 'completed';
}
