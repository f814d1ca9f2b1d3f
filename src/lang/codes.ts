// Every diagnostic code the language reports, with its severity. Codes are stable: editors,
// the CLI's --json output and docs/language.md refer to them. Tests check that each one is
// documented and exercised, and that nothing reports a code missing from this list.

import type { Severity } from './spec';

export const DIAGNOSTIC_CODES = {
  // syntax
  'unterminated-string': 'error',
  'malformed-setting': 'error',
  'orphan-setting': 'error',
  // statements and arguments
  'unknown-statement': 'error',
  'unknown-parameter': 'error',
  'too-many-arguments': 'error',
  'missing-argument': 'error',
  'missing-value': 'error',
  'duplicate-setting': 'error',
  'duplicate-statement': 'error',
  // values
  'not-a-number': 'error',
  'not-an-integer': 'error',
  'out-of-range': 'error',
  'invalid-value': 'error',
  'same-padding-even-kernel': 'error',
  // model structure
  'missing-input': 'error',
  'input-mismatch': 'error',
  'input-not-first': 'warning',
  'layer-after-loss': 'error',
  'softmax-not-last': 'warning',
  // shapes
  'window-too-large': 'error',
  'conv-non-integer-output': 'warning',
  'pool-window-not-tiling': 'warning',
  'dense-needs-flatten': 'error',
  'needs-feature-map': 'error',
  'redundant-flatten': 'warning',
  'output-not-vector': 'error',
  'class-count-mismatch': 'error',
  'memory-budget': 'warning',
  // training
  'momentum-unused': 'info',
  'newton-only-setting': 'info',
  'newton-setting-misread': 'warning',
  'ignored-by-newton': 'info',
} as const satisfies Record<string, Severity>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

// The codes only a simpleNN `.config` file can produce (src/lang/simplenn); its shape problems reuse
// the codes above. Documented in docs/language.md, "simpleNN `.config` files".
export const CONFIG_DIAGNOSTIC_CODES = {
  'config-syntax': 'error',
  'config-unknown-field': 'warning',
  'config-duplicate-field': 'error',
  'config-missing-field': 'error',
  'config-vector-length': 'error',
  'config-layer-count': 'error',
  'config-no-data': 'info',
} as const satisfies Record<string, Severity>;

export type ConfigDiagnosticCode = keyof typeof CONFIG_DIAGNOSTIC_CODES;
