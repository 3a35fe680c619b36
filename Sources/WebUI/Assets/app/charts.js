// Chart.js (window.Chart, Debian's libjs-chart.js, vendored under /ui/vendor) line charts with
// vertical markers for what happened during the run: phase starts, control acknowledgements,
// advice. The markers are a small Chart.js plugin drawing on the chart's own scales.

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f", "#7c3aed", "#b45309"];
export const MARKER_COLORS = { phase: "#2563eb", control: "#16a34a", refused: "#dc2626", advice: "#d97706", pause: "#6b7280" };

const markerPlugin = {
  id: "thawMarkers",
  afterDatasetsDraw(chart) {
    const markers = chart.$markers || [];
    const x = chart.scales.x;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    const placed = [];  // labels drawn so far: {left, right, row}
    for (const marker of markers) {
      const px = x.getPixelForValue(marker.x);
      if (!(px >= chart.chartArea.left - 1 && px <= chart.chartArea.right + 1)) continue;
      ctx.strokeStyle = marker.color;
      ctx.fillStyle = marker.color;
      ctx.setLineDash(marker.kind === "phase" ? [] : [4, 3]);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      // Right of the line, or left of it near the right edge; a label that would overlap one
      // already drawn goes a row lower.
      const width = ctx.measureText(marker.label).width;
      const left = px + 3 + width > chart.chartArea.right ? px - 3 - width : px + 3;
      let row = 0;
      while (placed.some((p) => p.row === row && left < p.right + 4 && left + width > p.left - 4)) row++;
      placed.push({ left, right: left + width, row });
      ctx.fillText(marker.label, left, top + 11 + (row % 8) * 12);
    }
    ctx.restore();
  },
};

/** The colour of the `index`th strategy (or any other ordered series family). */
export function strategyColor(index) {
  return PALETTE[index % PALETTE.length];
}

/** A line chart on `canvas`: x linear (`xLabel`), y linear or log (`logY`); `legend` replaces the
 * default legend options (bottom, one entry per dataset). */
export function lineChart(canvas, { xLabel, yLabel, logY = false, yMin, yMax, legend }) {
  return new window.Chart(canvas, {
    type: "line",
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: xLabel }, min: 0 },
        y: { type: logY ? "logarithmic" : "linear", title: { display: true, text: yLabel }, min: yMin, max: yMax,
             // Powers of ten, and 2 and 5 times them when the range is narrow.
             ticks: logY ? { autoSkip: false, callback: (v, i, ticks) => {
               const mantissa = Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
               const decades = Math.log10(ticks[ticks.length - 1].value / ticks[0].value);
               return mantissa === 1 || (decades < 2 && (mantissa === 2 || mantissa === 5)) ? Number(v).toExponential(0) : "";
             } } : {} },
      },
      plugins: { legend: legend || { position: "bottom" } },
    },
    plugins: [markerPlugin],
  });
}

/** The dataset labelled `label`, made on first use with the next palette colour. */
export function series(chart, label, options = {}) {
  let dataset = chart.data.datasets.find((d) => d.label === label);
  if (!dataset) {
    const color = options.color || PALETTE[chart.data.datasets.length % PALETTE.length];
    dataset = { label, data: [], borderColor: color, backgroundColor: color, pointRadius: 2, borderWidth: 2,
                stepped: options.stepped || false, borderDash: options.dash };
    chart.data.datasets.push(dataset);
  }
  return dataset;
}

// Kept on the chart object, not in its options: Chart.js resolves options into fresh objects.
export function addMarker(chart, marker) {
  (chart.$markers ||= []).push(marker);
  // A marker after the last point (a command during the epoch in progress) widens the x axis.
  const right = Math.max(...chart.$markers.map((m) => m.x));
  if (!(chart.options.scales.x.suggestedMax >= right)) chart.options.scales.x.suggestedMax = Math.ceil(right);
}

/** Redraws at most once a frame (a history replay sends hundreds of events at once), and records the
 * drawn point count on the canvas (`data-points`), which the browser tests read. */
export function scheduleUpdate(chart) {
  if (chart.$pending) return;
  chart.$pending = true;
  requestAnimationFrame(() => {
    chart.$pending = false;
    chart.update("none");
    const points = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
    chart.canvas.dataset.points = String(points);
    chart.canvas.dataset.markers = String((chart.$markers || []).length);
  });
}
