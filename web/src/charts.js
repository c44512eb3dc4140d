// Small inline SVG charts: no chart library, nothing fetched.

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/**
 * A line chart of `series` (arrays of numbers, one point per step) with a caption.
 * `labels` names each series; `xLabel`/`yLabel` describe the axes.
 */
export function lineChart({ series, labels, colors, xLabel, yLabel, title, keys = [] }) {
  const W = 340, H = 120, L = 44, R = 6, T = 8, B = 22;
  const n = Math.max(...series.map((s) => s.length), 2);
  const max = Math.max(1, ...series.flat().filter(Number.isFinite));
  const x = (i) => L + ((W - L - R) * i) / (n - 1);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const lines = series
    .map((s, k) => {
      const pts = s.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      const key = keys[k] ? ` data-k="${esc(keys[k])}"` : "";
      return `<polyline fill="none" stroke="${colors[k]}" stroke-width="1.8" points="${pts}"${key} data-values="${esc(JSON.stringify(s))}"><title>${esc(labels[k])}</title></polyline>`;
    })
    .join("");
  const fmt = (v) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : `${v.toFixed(0)}`);
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
    <title>${esc(title)}</title>
    <line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#999"/>
    <line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#999"/>
    <text x="${L - 3}" y="${T + 8}" text-anchor="end">${fmt(max)}</text>
    <text x="${L - 3}" y="${H - B}" text-anchor="end">0</text>
    <text x="${L}" y="${H - 6}">0</text>
    <text x="${W - R}" y="${H - 6}" text-anchor="end">${esc(xLabel)} ${n - 1}</text>
    <text x="${L + 4}" y="${T + 8}">${esc(yLabel)}</text>
    ${lines}
  </svg>`;
}
