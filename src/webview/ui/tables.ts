// HTML tables (themeable, accessible, selectable): the confusion matrix and the gradient check.

import type { GradCheckSummary } from '../../protocol';
import { formatNumber, formatPercent } from '../lib/eta';
import { h } from './dom';

/** Classes up to which each cell shows its count. */
const MAX_LABELLED_CLASSES = 12;

/** confusion[true][predicted] as a table; each cell shaded by its share of the true class's examples. */
export function confusionTable(confusion: readonly (readonly number[])[], classNames: readonly string[]): HTMLTableElement {
  const k = confusion.length;
  const name = (i: number) => classNames[i] ?? String(i);
  const head = h('tr', {}, h('th', { class: 'corner', scope: 'col', title: 'rows: true class; columns: predicted class' }, 'true ↓ pred →'),
    ...Array.from({ length: k }, (_, j) => h('th', { scope: 'col' }, name(j))));
  const rows = confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return h('tr', {}, h('th', { scope: 'row' }, name(i)), ...row.map((count, j) => {
      const share = total > 0 ? count / total : 0;
      const cell = h('td', { title: `true ${name(i)}, predicted ${name(j)}: ${count} (${formatPercent(share)} of ${total})`, class: i === j ? 'diag' : '' },
        String(count));
      // CSSOM assignment (allowed by the panel's CSP, unlike style attributes).
      cell.style.setProperty('--share', `${Math.round(share * 100)}%`);
      return cell;
    }));
  });
  // Past a dozen classes the counts no longer fit their share of the width: colour alone (and each
  // cell's tooltip) carries them, so the matrix still fits its card.
  return h('table', { class: k > MAX_LABELLED_CLASSES ? 'confusion colour-only' : 'confusion', 'aria-label': 'Confusion matrix of the test set' },
    h('thead', {}, head), h('tbody', {}, ...rows));
}

/** The gradient check's per-tensor errors. */
export function gradCheckTable(r: GradCheckSummary): HTMLElement {
  const withReference = r.reference !== null;
  const rows = r.tensors.map((t) => h('tr', { class: t.passed ? 'pass' : 'fail' },
    // A narrow table breaks long names after a dot rather than mid-word.
    h('td', { class: 'mono' }, ...t.name.split('.').flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), `.${part}`]))),
    h('td', { class: 'mono' }, t.shape.join('×')),
    h('td', { class: 'num detail' }, `${t.checked}/${t.total}`),
    h('td', { class: 'num detail' }, String(t.skipped)),
    h('td', { class: 'num' }, formatNumber(t.maxRelativeError)),
    h('td', { class: 'num detail' }, formatNumber(t.analytic)),
    h('td', { class: 'num detail' }, formatNumber(t.numeric)),
    ...(withReference ? [h('td', { class: 'num' }, t.referenceError === null ? '—' : formatNumber(t.referenceError))] : []),
    h('td', { class: 'verdict' }, t.passed ? '✓ pass' : '✗ FAIL')));
  const summary = h('p', { class: `gradcheck-summary ${r.passed ? 'pass' : 'fail'}`, role: 'status' },
    `${r.passed ? '✓ All gradients agree' : '✗ Some gradients disagree'} · ${r.backend} · ${r.precision} · ` +
    `ε = ${r.epsilon} · tolerance ${r.tolerance}` +
    `${withReference ? ` · analytic gradients also compared with ${r.reference}` : ''} · ${r.seconds.toFixed(1)} s`);
  const table = h('table', { class: 'gradcheck', 'aria-label': 'Gradient check per tensor' },
    // Columns marked `detail` give way in a narrow panel so the Result column stays in view.
    h('thead', {}, h('tr', {}, ...[['Tensor'], ['Shape'], ['Checked', 'detail'], ['Skipped (kinks)', 'detail'], ['Max rel. error'],
      ['Analytic', 'detail'], ['Numeric', 'detail'], ...(withReference ? [[`vs ${r.reference}`]] : []), ['Result']]
      .map(([c, cls]) => h('th', { scope: 'col', class: cls }, c)))),
    h('tbody', {}, ...rows));
  return h('div', {}, summary, h('div', { class: 'table-scroll' }, table));
}
