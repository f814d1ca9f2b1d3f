// Every diagnostic code: exact range, severity, message, and that its first fix (when it has one)
// produces the expected text and makes the diagnostic go away.
import assert from 'node:assert/strict';
import type { DiagnosticCode } from '../../../src/lang';
import { analyze, DIAGNOSTIC_CODES } from '../../../src/lang';
import type { RangeTuple } from './util';
import { applyEdits, only, tuple } from './util';

const HEAD = 'input 1x28x28\n';
const TAIL = 'flatten\ndense 10\n';

interface Case {
  readonly text: string;
  readonly range: RangeTuple;
  readonly message: string;
  /** The text after applying the first fix; absent when the diagnostic has no fix. */
  readonly fixed?: string;
  /** [range, message] of the first related location. */
  readonly related?: readonly [RangeTuple, string];
  readonly options?: Parameters<typeof analyze>[1];
}

const CASES: Record<DiagnosticCode, Case> = {
  'unterminated-string': {
    text: `${HEAD}${TAIL}train data="idx:abc`,
    range: [3, 11, 3, 19],
    message: 'line 4: the string starting at column 12 has no closing `"`',
    fixed: `${HEAD}${TAIL}train data="idx:abc"`,
  },
  'malformed-setting': {
    text: `${HEAD}flatten =5\ndense 10\n`.replace('flatten =5', 'flatten\n=5'),
    range: [2, 0, 2, 2],
    message: 'line 3: `=5` has no name before `=`; write settings as key=value',
  },
  'orphan-setting': {
    text: `  epochs=3 batch=8\n${HEAD}${TAIL}`,
    range: [0, 2, 0, 18],
    message: 'line 1: `epochs=…` continues a statement, but no statement comes before it; start the line with a keyword such as `train`',
  },
  'unknown-statement': {
    text: `${HEAD}Conv 6 kernel=5\n${TAIL}`,
    range: [1, 0, 1, 4],
    message: 'line 2: unknown statement `Conv`; did you mean `conv`?',
    fixed: `${HEAD}conv 6 kernel=5\n${TAIL}`,
  },
  'unknown-parameter': {
    text: `${HEAD}conv 6 kernal=5\n${TAIL}`,
    range: [1, 7, 1, 13],
    message: 'conv (line 2): unknown parameter `kernal`; did you mean `kernel`?',
    fixed: `${HEAD}conv 6 kernel=5\n${TAIL}`,
  },
  'too-many-arguments': {
    text: `${HEAD}relu 3\n${TAIL}`,
    range: [1, 5, 1, 6],
    message: 'relu (line 2): unexpected `3`; `relu` takes no arguments',
    fixed: `${HEAD}relu\n${TAIL}`,
  },
  'missing-argument': {
    text: `${HEAD}conv kernel=3\n${TAIL}`,
    range: [1, 0, 1, 4],
    message: 'conv (line 2): missing `filters`, e.g. `conv 8` — Number of filters (output channels).',
  },
  'missing-value': {
    text: `${HEAD}conv 6 kernel=\n${TAIL}`,
    range: [1, 7, 1, 14],
    message: 'conv (line 2): `kernel=` has no value; Kernel size `K` or `KxK` (height × width).',
  },
  'duplicate-setting': {
    text: `${HEAD}${TAIL}train epochs=3\n  lr=0.1 epochs=5\n`,
    range: [4, 9, 4, 17],
    message: 'train (line 4): `epochs` is already set on line 4; only the first value counts',
    related: [[3, 6, 3, 14], 'first `epochs` here'],
    fixed: `${HEAD}${TAIL}train epochs=3\n  lr=0.1\n`,
  },
  'duplicate-statement': {
    text: `${HEAD}${HEAD}${TAIL}`,
    range: [1, 0, 1, 13],
    message: 'input (line 2): a model has one `input` statement and line 1 already has it; this one is ignored',
    related: [[0, 0, 0, 13], 'first `input` here'],
    fixed: `${HEAD}${TAIL}`,
  },
  'not-a-number': {
    text: `${HEAD}${TAIL}train lr=fast`,
    range: [3, 9, 3, 13],
    message: 'train (line 4): `lr` must be a number, not `fast`',
  },
  'not-an-integer': {
    text: `${HEAD}${TAIL}train batch=2.5`,
    range: [3, 12, 3, 15],
    message: 'train (line 4): `batch` must be a whole number, not 2.5',
  },
  'out-of-range': {
    text: `${HEAD}flatten\ndropout 1\ndense 10\n`,
    range: [2, 8, 2, 9],
    message: 'dropout (line 3): `p` must be in [0, 1), not 1',
  },
  'invalid-value': {
    text: `${HEAD}${TAIL}loss msee\n`,
    range: [3, 5, 3, 9],
    message: 'loss (line 4): `kind` must be one of `cross_entropy`, `mse`, not `msee`; did you mean `mse`?',
    fixed: `${HEAD}${TAIL}loss mse\n`,
  },
  'same-padding-even-kernel': {
    text: `${HEAD}conv 6 kernel=4 pad=same\n${TAIL}`,
    range: [1, 20, 1, 24],
    message: 'conv (line 2): pad=same needs an odd kernel, so that (K − 1)/2 pads both sides equally; kernel 4×4 is even',
    fixed: `${HEAD}conv 6 kernel=5 pad=same\n${TAIL}`,
  },
  'missing-input': {
    text: `# a model\n  ${TAIL}train data=cifar10:data\n`,
    range: [1, 2, 1, 9],
    message: "the model has no `input` statement, so no shape can be checked; start with `input 3x32x32` (the data set's shape)",
    fixed: `# a model\n  input 3x32x32\n  ${TAIL}train data=cifar10:data\n`,
  },
  'input-mismatch': {
    text: `input 3x32x32\n${TAIL}train data=mnist\n`,
    range: [0, 6, 0, 13],
    message: "input (line 1): input 3×32×32 differs from mnist's examples, which are 1×28×28",
    fixed: `input 1x28x28\n${TAIL}train data=mnist\n`,
  },
  'input-not-first': {
    text: `flatten\n${HEAD}dense 10\n`,
    range: [1, 0, 1, 13],
    message: 'input (line 2): `input` comes after the first layer (line 1); it describes what the first layer receives, so put it first',
    related: [[0, 0, 0, 7], 'first layer'],
    fixed: `${HEAD}flatten\ndense 10\n`,
  },
  'layer-after-loss': {
    text: `${HEAD}flatten\nloss mse\ndense 10\n`,
    range: [3, 0, 3, 5],
    message: 'dense (line 4): layer after `loss` (line 3); the loss ends the model, so it must come after every layer',
    related: [[2, 0, 2, 8], 'the loss is declared here'],
    fixed: `${HEAD}flatten\ndense 10\nloss mse\n`,
  },
  'softmax-not-last': {
    text: `${HEAD}flatten\nsoftmax\ndense 10\n`,
    range: [2, 0, 2, 7],
    message: 'softmax (line 3): `softmax` is not the last layer; it turns outputs into class probabilities and normally ends the model',
  },
  'window-too-large': {
    text: 'input 1x3x3\nconv 2 kernel=5\nflatten\ndense 10\ntrain data=idx:d',
    range: [1, 0, 1, 4],
    message: 'conv (line 2): kernel 5×5 is larger than the padded input 3×3, so there is no output: output height and width (3 + 2·0 − 5)/1 + 1 = −1',
    related: [[0, 0, 0, 11], 'input (line 1) produces the 1×3×3 input'],
    fixed: 'input 1x3x3\nconv 2 kernel=3\nflatten\ndense 10\ntrain data=idx:d',
  },
  'conv-non-integer-output': {
    text: `${HEAD}conv 6 kernel=5\nmaxpool 2\nconv 16 kernel=5 stride=2\n${TAIL}`,
    range: [3, 0, 3, 4],
    message: 'conv (line 4): output height and width (12 + 2·0 − 5)/2 + 1 = 4.5 are not integers; the last row and column are dropped — stride=1 would give 8×8',
    related: [[2, 0, 2, 9], 'maxpool (line 3) produces the 6×12×12 input'],
    fixed: `${HEAD}conv 6 kernel=5\nmaxpool 2\nconv 16 kernel=5 stride=1\n${TAIL}`,
  },
  'pool-window-not-tiling': {
    text: `${HEAD}conv 4 kernel=3\nmaxpool 4\n${TAIL}`,
    range: [2, 0, 2, 7],
    message: 'maxpool (line 3): the 4×4 window with stride 4 does not tile the 26×26 input: output height and width (26 − 4)/4 + 1 = 6.5 are not integers; the last 2 rows and 2 columns are dropped — window=2 would give 13×13, stride=2 would give 12×12',
    related: [[1, 0, 1, 15], 'conv (line 2) produces the 4×26×26 input'],
    fixed: `${HEAD}conv 4 kernel=3\nmaxpool 2\n${TAIL}`,
  },
  'dense-needs-flatten': {
    text: `${HEAD}conv 2 kernel=3\n  dense 10\n`,
    range: [2, 2, 2, 7],
    message: 'dense (line 3): `dense` needs a vector, but its input is 2×26×26; insert `flatten` before it (2·26·26 = 1352 values)',
    related: [[1, 0, 1, 15], 'conv (line 2) produces the 2×26×26 input'],
    fixed: `${HEAD}conv 2 kernel=3\n  flatten\n  dense 10\n`,
  },
  'needs-feature-map': {
    text: `${HEAD}flatten\nmaxpool 2\ndense 10\n`,
    range: [2, 0, 2, 7],
    message: 'maxpool (line 3): needs a C×H×W feature map, but its input is a vector of 784 values; put it before `flatten`',
    related: [[1, 0, 1, 7], 'flatten (line 2) produces the 784 input'],
  },
  'redundant-flatten': {
    text: `${HEAD}flatten\nflatten\ndense 10\n`,
    range: [2, 0, 2, 7],
    message: 'flatten (line 3): the input is already a vector of 784 values, so `flatten` does nothing',
    fixed: `${HEAD}flatten\ndense 10\n`,
  },
  'output-not-vector': {
    text: `${HEAD}conv 4 kernel=5\nsoftmax\ntrain data=mnist\n`,
    range: [2, 0, 2, 7],
    message: 'softmax (line 3): the model ends with a 4×24×24 feature map, but the loss needs one score per class (10 for mnist); end with `flatten` and `dense 10`',
    fixed: `${HEAD}conv 4 kernel=5\nflatten\ndense 10\nsoftmax\ntrain data=mnist\n`,
  },
  'class-count-mismatch': {
    text: `${HEAD}flatten\ndense 12\nrelu\nsoftmax\ntrain data=mnist\n`,
    range: [2, 6, 2, 8],
    message: 'dense (line 3): the model ends with 12 outputs, but mnist has 10 classes; set it to `dense 10`',
    related: [[5, 11, 5, 16], 'mnist has 10 classes'],
    fixed: `${HEAD}flatten\ndense 10\nrelu\nsoftmax\ntrain data=mnist\n`,
  },
  'memory-budget': {
    // per example: input 3,136 B + conv 64·28·28·4 = 200,704 B + dense 40 B; params (640 + 64 + 50,176·10 + 10)·4
    text: `${HEAD}conv 64 kernel=3 pad=1\nflatten\ndense 10\ntrain batch=64\n`,
    options: { memoryBudgetBytes: 4 * 1024 * 1024 },
    range: [1, 0, 1, 4],
    message: 'training needs at least 14.4 MiB at batch 64 — parameters 1.9 MiB + activations 199 KiB per example × 64 — over the 4 MiB budget; conv (line 2) stores the most (196 KiB per example)',
    fixed: `${HEAD}conv 64 kernel=3 pad=1\nflatten\ndense 10\ntrain batch=8\n`,
  },
  'momentum-unused': {
    text: `${HEAD}${TAIL}train optimizer=adam momentum=0.5`,
    range: [3, 21, 3, 33],
    message: 'train (line 4): momentum only applies to optimizer=sgd; adam ignores it',
  },
  'newton-only-setting': {
    text: `${HEAD}${TAIL}train optimizer=adam GNsize=64`,
    range: [3, 21, 3, 30],
    message: 'train (line 4): GNsize only applies to optimizer=newton; adam ignores it',
  },
  'newton-setting-misread': {
    text: `${HEAD}${TAIL}train lambda=0.001`,
    range: [3, 6, 3, 12],
    message: "train (line 4): lambda is Newton's initial damping and only applies to optimizer=newton; sgd ignores it — did you mean weight_decay?",
    fixed: `${HEAD}${TAIL}train weight_decay=0.001`,
  },
  'ignored-by-newton': {
    text: `${HEAD}${TAIL}train optimizer=newton lr=0.1`,
    range: [3, 23, 3, 29],
    message: 'train (line 4): optimizer=newton ignores lr; its step size comes from the line search',
  },
};

describe('diagnostics', () => {
  for (const [code, c] of Object.entries(CASES) as [DiagnosticCode, Case][]) {
    it(code, () => {
      const a = analyze(c.text, c.options);
      const d = only(a, code);
      assert.deepEqual(tuple(d.range), c.range);
      assert.equal(d.severity, DIAGNOSTIC_CODES[code]);
      assert.equal(d.message, c.message);
      if (c.related) {
        assert.ok(d.related && d.related.length > 0, 'expected related information');
        assert.deepEqual([tuple(d.related[0].range), d.related[0].message], [c.related[0], c.related[1]]);
      }
      if (c.fixed === undefined) {
        assert.equal(d.fixes, undefined, 'expected no fix');
        return;
      }
      assert.ok(d.fixes && d.fixes.length > 0, 'expected a fix');
      const fixed = applyEdits(c.text, d.fixes[0].edits);
      assert.equal(fixed, c.fixed);
      assert.ok(!analyze(fixed, c.options).diagnostics.some((x) => x.code === code), `the fix leaves '${code}' in place`);
    });
  }

  it('a parameter written without its `=` is offered back with it before "Remove it"', () => {
    const text = `${HEAD}conv 6 kernel154\n${TAIL}`;
    const d = only(analyze(text), 'too-many-arguments');
    assert.match(d.message, /unexpected `kernel154`; did you mean `kernel=154`\?/);
    assert.deepEqual(d.fixes!.map((f) => f.title), ['Change to `kernel=154`', 'Remove it']);
    assert.equal(applyEdits(text, d.fixes![0].edits), `${HEAD}conv 6 kernel=154\n${TAIL}`);
    assert.equal(only(analyze(`${HEAD}maxpool 2 stride3\n${TAIL}`), 'too-many-arguments').fixes![0].title, 'Change to `stride=3`');
  });

  it('a model without `train` has chosen no data set, so nothing is checked against one', () => {
    for (const text of ['input 3x32x32\nflatten\ndense 10\n', 'input 1x28x28\nflatten\ndense 12\n', 'input 1x28x28\nconv 4 kernel=5\n']) {
      const a = analyze(text);
      assert.deepEqual(a.diagnostics, [], text);
      assert.equal(a.classes, null);
    }
    // The same models with a data set chosen are checked.
    assert.ok(analyze('input 3x32x32\nflatten\ndense 10\ntrain data=mnist').diagnostics.some((d) => d.code === 'input-mismatch'));
  });

  it('every registered code has a case above', () => {
    assert.deepEqual(Object.keys(CASES).sort(), Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('the message from the brief: a fractional conv output names the layer, line and arithmetic', () => {
    const a = analyze(`input 1x14x14\nconv 6 kernel=5 stride=2\nflatten\ndense 10\ntrain data=idx:x`);
    assert.equal(only(a, 'conv-non-integer-output').message,
      'conv (line 2): output height and width (14 + 2·0 − 5)/2 + 1 = 5.5 are not integers; the last row and column are dropped — stride=3 would give 4×4');
    // 14 − 5 = 9 is odd and padding changes it by 2, so no pad can help: only strides are offered.
    assert.deepEqual(only(a, 'conv-non-integer-output').fixes!.map((f) => f.title), ['Use stride=3 (output 4×4)']);
    assert.deepEqual(a.layers[0].output, [6, 5, 5]);
  });
});
