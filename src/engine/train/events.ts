// What the training loop tells its caller (the CLI's progress lines, the panel's charts): the only
// way progress leaves the trainer.

export type TrainEvent =
  | { readonly type: 'start'; readonly epochs: number; readonly stepsPerEpoch: number; readonly batch: number;
      readonly trainExamples: number; readonly validationExamples: number; readonly testExamples: number;
      readonly parameters: number; readonly backend: string; readonly epoch: number; readonly step: number }
  /** Mean loss and accuracy over the `examples` seen since the previous step event. */
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number;
      readonly globalStep: number; readonly examples: number; readonly loss: number; readonly accuracy: number; readonly imagesPerSecond: number;
      readonly lr: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly loss: number; readonly trainAccuracy: number;
      readonly testLoss: number | null; readonly testAccuracy: number | null; readonly validationAccuracy: number | null;
      readonly seconds: number; readonly imagesPerSecond: number }
  /**
   * One iteration of optimizer=newton (engine/newton/newton-method.ts), before its `epoch` event: the
   * objective f = loss + L2 term after it (previousF: before), ‖∇f‖, the accepted step α (0: the line search gave up),
   * CG steps, actual and predicted reduction of f, the damping λ after its update.
   */
  | { readonly type: 'newton'; readonly iteration: number; readonly f: number; readonly previousF: number; readonly loss: number; readonly trainAccuracy: number;
      readonly gradientNorm: number; readonly stepSize: number; readonly cgIterations: number; readonly backtracks: number;
      readonly actualReduction: number; readonly predictedReduction: number; readonly lambda: number; readonly subsampleSize: number;
      readonly validationAccuracy: number | null; readonly testAccuracy: number | null; readonly seconds: number }
  | { readonly type: 'paused' | 'resumed'; readonly epoch: number; readonly step: number }
  | { readonly type: 'done'; readonly reason: 'completed' | 'stopped'; readonly epoch: number; readonly globalStep: number;
      readonly seconds: number }
  | { readonly type: 'error'; readonly message: string }
  /**
   * A report's loss (or a step's weights) went NaN/∞. Training is paused with the last good weights
   * (from before `step`, or `lastGoodStep` steps in all); `layer` indexes spec.layers where values
   * first stopped being finite (null: the loss, or not found), see non-finite.ts.
   */
  | { readonly type: 'nonFinite'; readonly epoch: number; readonly step: number | null; readonly layer: number | null;
      readonly where: 'activation' | 'loss' | 'gradient' | 'update' | null; readonly tensor: string | null;
      readonly lastGoodStep: number; readonly message: string };
