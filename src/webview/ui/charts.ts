// uPlot charts in the theme's colours. A chart keeps its last data, follows its container's width and
// is rebuilt when the VS Code theme changes (canvas colours are resolved from CSS variables).

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fittedRange } from '../lib/series';
import { themeColor } from './dom';

/** VS Code's chart palette (`--vscode-charts-*`), with dark-theme defaults. */
const PALETTE: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'], ['--vscode-charts-orange', '#d18616'], ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'], ['--vscode-charts-red', '#f14c4c'], ['--vscode-charts-yellow', '#cca700'],
];

export function paletteColor(i: number): string {
  const [name, fallback] = PALETTE[i % PALETTE.length];
  return themeColor(name, fallback);
}

export interface SeriesStyle {
  readonly label: string;
  /** Index into the chart palette. */
  readonly color: number;
  readonly width?: number;
  /** 0…1 opacity of the line. */
  readonly alpha?: number;
  readonly dash?: number[];
  readonly points?: boolean;
}

export interface ChartOptions {
  readonly xLabel: string;
  readonly yLabel?: string;
  readonly series: readonly SeriesStyle[];
  readonly height?: number;
  readonly yLog?: boolean;
  /** Bounds the y range fitted to the data stays within, e.g. [0, 1] for accuracies. */
  readonly yWithin?: readonly [number, number];
  readonly bars?: boolean;
  /** Formats y values in the legend and on the axis. */
  readonly yFormat?: (v: number) => string;
  readonly xFormat?: (v: number) => string;
  /** Allowed x tick spacings (e.g. whole numbers for epochs). */
  readonly xIncrs?: number[];
}

function withAlpha(color: string, alpha: number): string {
  if (alpha >= 1) return color;
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) return `#${hex[1]}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  return `color-mix(in srgb, ${color} ${Math.round(alpha * 100)}%, transparent)`;
}

export class Chart {
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData;
  private readonly observer: ResizeObserver;
  private width = 0;

  constructor(readonly container: HTMLElement, private options: ChartOptions) {
    this.data = [[], ...options.series.map(() => [])] as unknown as uPlot.AlignedData;
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(container);
    this.build();
  }

  /** x values and one y array per series (null = gap). */
  setData(x: ArrayLike<number>, ys: readonly ArrayLike<number | null>[]): void {
    this.data = [Array.from(x), ...ys.map((y) => Array.from(y))] as unknown as uPlot.AlignedData;
    this.plot?.setData(this.data);
  }

  /** Replaces the series (labels, colours) and rebuilds. */
  setSeries(series: readonly SeriesStyle[], x: ArrayLike<number>, ys: readonly ArrayLike<number | null>[]): void {
    this.options = { ...this.options, series };
    this.data = [Array.from(x), ...ys.map((y) => Array.from(y))] as unknown as uPlot.AlignedData;
    this.build();
  }

  /** Re-reads the theme's colours. */
  rebuild(): void { this.build(); }

  dispose(): void {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private fit(): void {
    const width = Math.floor(this.container.clientWidth);
    if (width > 0 && width !== this.width) {
      this.width = width;
      if (this.plot) this.plot.setSize({ width, height: this.options.height ?? 200 });
      else this.build();
    }
  }

  private build(): void {
    this.plot?.destroy();
    this.plot = null;
    const width = Math.floor(this.container.clientWidth) || 400;
    this.width = width;
    const o = this.options;
    const fg = themeColor('--vscode-foreground', '#cccccc');
    const grid = withAlpha(themeColor('--vscode-panel-border', '#80808059'), 0.6);
    const font = `11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    const axis = (label: string | undefined, format?: (v: number) => string, incrs?: number[]): uPlot.Axis => ({
      stroke: fg, font, labelFont: font, label, labelSize: label ? 16 : 0,
      grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
      ...(format ? { values: (_u: uPlot, splits: number[]) => splits.map(format) } : {}),
      ...(incrs ? { incrs } : {}),
    });
    const bars = o.bars ? uPlot.paths.bars!({ size: [0.95, Infinity], gap: 1 }) : undefined;
    const opts: uPlot.Options = {
      width,
      height: o.height ?? 200,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: true, live: true },
      scales: {
        x: { time: false },
        y: o.yLog ? { distr: 3, log: 10 } : o.yWithin ? { range: (_u: uPlot, min: number | null, max: number | null) => fittedRange(min, max, o.yWithin!) } : {},
      },
      axes: [axis(o.xLabel, o.xFormat, o.xIncrs), axis(o.yLabel, o.yFormat)],
      series: [
        { label: o.xLabel, ...(o.xFormat ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : o.xFormat!(v)) } : {}) },
        ...o.series.map((s): uPlot.Series => {
          const color = withAlpha(paletteColor(s.color), s.alpha ?? 1);
          return {
            label: s.label,
            stroke: color,
            width: s.width ?? 1.5,
            ...(s.dash ? { dash: s.dash } : {}),
            ...(bars ? { paths: bars, fill: withAlpha(paletteColor(s.color), 0.6) } : {}),
            points: { show: s.points ?? false, size: 5, fill: color },
            spanGaps: true,
            ...(o.yFormat ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : o.yFormat!(v)) } : {}),
          };
        }),
      ],
    };
    this.plot = new uPlot(opts, this.data, this.container);
  }
}
