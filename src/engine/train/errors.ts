// The one error class of the training loop, so callers (the CLI) can tell a refused setting or call
// from a bug by its name.

export class TrainError extends Error {
  constructor(message: string) { super(message); this.name = 'TrainError'; }
}
