// HTML tables (themeable, accessible, selectable): the confusion matrix and the gradient check.

import type { GradCheckSummary } from '../../protocol';
import { formatNumber, formatPercent } from '../lib/eta';
import { h } from './dom';

/** confusion[true][predicted] as a table; each cell shaded by its share of the true class's examples. */
export function confusionTable(confusion: readonly (readonly number[])[], classNames: readonly string[]): HTMLTableElement {
  const k = confusion.length;
  const name = (i: number) => classNames[i] ?? String(i);
  const head = h('tr', {}, h('th', { class: 'corner', scope: 'col' }, 'true ↓ / predicted →'),
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
  return h('table', { class: 'confusion', 'aria-label': 'Confusion matrix of the test set' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

/** The gradient check's per-tensor errors. */
export function gradCheckTable(r: GradCheckSummary): HTMLElement {
  const withReference = r.reference !== null;
  const rows = r.tensors.map((t) => h('tr', { class: t.passed ? 'pass' : 'fail' },
    h('td', { class: 'mono' }, t.name),
    h('td', { class: 'mono' }, t.shape.join('×')),
    h('td', { class: 'num' }, `${t.checked}/${t.total}`),
    h('td', { class: 'num' }, String(t.skipped)),
    h('td', { class: 'num' }, formatNumber(t.maxRelativeError)),
    h('td', { class: 'num' }, formatNumber(t.analytic)),
    h('td', { class: 'num' }, formatNumber(t.numeric)),
    ...(withReference ? [h('td', { class: 'num' }, t.referenceError === null ? '—' : formatNumber(t.referenceError))] : []),
    h('td', { class: 'verdict' }, t.passed ? '✓ pass' : '✗ FAIL')));
  const summary = h('p', { class: `gradcheck-summary ${r.passed ? 'pass' : 'fail'}`, role: 'status' },
    `${r.passed ? '✓ All gradients agree' : '✗ Some gradients disagree'} · ${r.backend} · ${r.precision} · ` +
    `ε = ${r.epsilon} · tolerance ${r.tolerance}` +
    `${withReference ? ` · analytic gradients also compared with ${r.reference}` : ''} · ${r.seconds.toFixed(1)} s`);
  const table = h('table', { class: 'gradcheck', 'aria-label': 'Gradient check per tensor' },
    h('thead', {}, h('tr', {}, ...['Tensor', 'Shape', 'Checked', 'Skipped (kinks)', 'Max rel. error', 'Analytic', 'Numeric',
      ...(withReference ? [`vs ${r.reference}`] : []), 'Result']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows));
  return h('div', {}, summary, h('div', { class: 'table-scroll' }, table));
}
