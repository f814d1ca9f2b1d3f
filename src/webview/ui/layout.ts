// The panel's static structure: every element the other modules fill in, by id. The e2e tests find
// the panel's parts by these ids and labels, so they stay as they are.

import { BACKEND_CHOICES } from '../../protocol';
import { byId, h } from './dom';
import { collapsibleCard, settingsFold } from './sections';

/** The panel's static structure; the App fills it in. */
export function buildLayout(): void {
  const button = (id: string, label: string, attrs: Record<string, string | boolean> = {}) => h('vscode-button', { id, ...attrs }, label);
  // A shorter label for a narrow panel (styles.css shows one of the two), the full one as tooltip.
  const shortened = (id: string, label: string, short: string) => h('vscode-button', { id, secondary: true, title: label },
    h('span', { class: 'label-long' }, label), h('span', { class: 'label-short' }, short));
  const num = (id: string, label: string, value: string, attrs: Record<string, string> = {}) => h('label', { class: 'field', for: id },
    h('span', {}, label), h('vscode-textfield', { id, type: 'number', value, ...attrs }));
  const card = collapsibleCard;
  const banner = (id: string) => h('div', { id, class: 'banner', hidden: true, role: 'alert' }, h('span', { class: 'banner-text' }),
    h('button', { class: 'banner-close', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×'));

  const app = byId('app');
  app.replaceChildren(
    // Title, errors, controls and progress stay in view while the cards scroll beneath them.
    h('div', { class: 'sticky-top' },
      h('header', {},
        h('div', { class: 'titles' }, h('h1', { id: 'title' }, 'Loading model…'), h('div', { id: 'subtitle', class: 'muted' })),
        h('span', { id: 'backend-badge', class: 'badge' }, 'checking WebGPU…')),
      banner('banner-error'),
      h('div', { id: 'notice', class: 'notice', hidden: true, role: 'status' }),
      h('section', { class: 'controls', 'aria-label': 'Training controls' },
        h('div', { class: 'row' },
          button('start', 'Start'), button('pause', 'Pause', { secondary: true }), shortened('step', 'Step once', 'Step'),
          button('stop', 'Stop', { secondary: true }),
          h('span', { class: 'sep' }),
          shortened('save', 'Save checkpoint', 'Save'), button('save-as', 'Save as…', { secondary: true }),
          shortened('resume-checkpoint', 'Resume from checkpoint', 'Resume…'),
          h('span', { class: 'sep' }),
          shortened('gradcheck-button', 'Check gradients', 'Gradients'),
          shortened('export', 'Export model…', 'Export…')),
        settingsFold(h('div', { class: 'row fields' },
          num('epochs', 'Epochs', '3', { min: '1', step: '1' }),
          num('batch', 'Batch size', '64', { min: '1', step: '1' }),
          num('lr', 'Learning rate (live)', '0.05', { type: 'text', inputmode: 'decimal' }),
          h('label', { class: 'field', for: 'backend' }, h('span', {}, 'Backend'),
            h('vscode-single-select', { id: 'backend' }, ...BACKEND_CHOICES.map((b) => h('vscode-option', { value: b }, b)))),
          num('plot-every', 'Plots every (steps)', '10', { min: '1', step: '1' })))),
      h('section', { class: 'progress', 'aria-label': 'Progress' },
        h('div', { class: 'row' },
          h('span', { id: 'status', class: 'status', 'data-status': 'loading', role: 'status' }, 'Starting…'),
          h('span', { id: 'step-counter', 'data-global-step': '0' }, 'not started'),
          h('span', { id: 'speed', class: 'muted' }), h('span', { id: 'eta', class: 'muted' }),
          h('span', { id: 'loss-now', class: 'muted' }), h('span', { id: 'test-accuracy', class: 'muted' }), h('span', { id: 'lr-live', class: 'muted' })),
        h('vscode-progress-bar', { id: 'progress-bar', value: '0', max: '1', 'aria-label': 'Training progress' }))),
    // Information that scrolls away with the cards (errors and notices stay in the sticky part).
    banner('banner-main'),
    h('main', { class: 'grid' },
      // First in the grid: the check's results sit right under the button that runs it.
      card('gradcheck', 'Gradient check', h('div', { id: 'gradcheck' })),
      card('loss', 'Training loss', h('div', { id: 'loss-chart', class: 'chart', role: 'img', 'aria-label': 'Training loss: no data yet' })),
      card('newton', 'Newton iterations', h('div', { id: 'newton-chart', class: 'chart', role: 'img', 'aria-label': 'Newton iterations: none yet' }),
        h('div', { id: 'newton-table', class: 'table-scroll' }),
        h('p', { class: 'muted small' }, 'f = average loss + ‖w‖²/(2C·l); CG solves (G/|S| + (λ + 1/C) I) d = −∇f on a fresh subsample each iteration.')),
      card('accuracy', 'Accuracy per epoch', h('div', { id: 'accuracy-chart', class: 'chart', role: 'img' }),
        h('p', { id: 'accuracy-info', class: 'muted small' }, 'Filled in at the end of each epoch (test accuracy from the full test set).')),
      card('gradnorm', 'Gradient norm per layer', h('div', { id: 'gradnorm-chart', class: 'chart', role: 'img' })),
      card('histogram', 'Gradient histogram',
        h('div', { class: 'row' }, h('vscode-single-select', { id: 'histogram-select', 'aria-label': 'Tensor' })),
        h('div', { id: 'histogram-chart', class: 'chart', role: 'img' }),
        h('p', { id: 'histogram-info', class: 'muted small' })),
      card('features', 'Feature maps',
        h('div', { class: 'row example' },
          h('canvas', { id: 'input-canvas', width: '112', height: '112', 'aria-label': 'The test image' }),
          h('div', {},
            h('div', { class: 'row' },
              button('example-prev', '‹', { secondary: true, title: 'Previous test image' }),
              num('example', 'Test image', '0', { min: '0', step: '1' }),
              button('example-next', '›', { secondary: true, title: 'Next test image' }),
              button('example-random', 'Random', { secondary: true })),
            h('p', { id: 'example-info', class: 'muted' }, 'Shown once training starts.'))),
        h('div', { id: 'features' }, h('div', { id: 'feature-maps' }))),
      card('filters', 'First-layer filters', h('canvas', { id: 'filters-canvas', width: '0', height: '0' }), h('p', { id: 'filters-info', class: 'muted small' })),
      card('confusion', 'Confusion matrix (test set)', h('div', { id: 'confusion' }, h('p', { class: 'muted' }, 'Appears after the first epoch.'))),
      card('model', 'Model', h('ol', { id: 'layers', class: 'layers' }))),
  );
  byId('gradcheck-card').hidden = true;
  byId('newton-card').hidden = true;
  for (const b of Array.from(app.querySelectorAll('.banner-close'))) {
    b.addEventListener('click', () => { (b.parentElement as HTMLElement).hidden = true; });
  }
}
