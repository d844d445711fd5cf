// Time series drawn with uPlot (loaded from the gateway, never a CDN): one line per series.
import { el } from './format.js';

const PALETTE = ['#2f6fdb', '#e0782f', '#2e9d5b', '#b03ab0', '#c9a227', '#2aa3b8', '#d04a5a', '#6b6bd6'];

/**
 * Draws (or redraws) a chart in the container.
 * @param {string} title shown above, with the unit
 * @param {number[]} xs bucket starts, epoch seconds
 * @param {{label: string, values: (number|null)[]}[]} series
 * @param {(v: number) => string} format the y values as shown on the axis and in the legend
 */
export function lineChart(container, title, xs, series, format) {
  container.replaceChildren(el('h2', {}, title));
  const width = Math.max(280, container.clientWidth - 16);
  const options = {
    width,
    height: 220,
    cursor: { points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: true } },
    axes: [
      { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,.15)' } },
      { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,.15)' },
        size: 84, values: (u, splits) => splits.map(format) },
    ],
    series: [{ value: (u, v) => v === null ? '–' : new Date(v * 1000).toLocaleString() },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        points: { show: xs.length < 40 },
        value: (u, v) => v === null || v === undefined ? '–' : format(v),
      }))],
  };
  const data = [xs, ...series.map((s) => s.values)];
  // eslint-disable-next-line no-undef
  return new uPlot(options, data, container);
}
