// Experiments: the list, and one experiment with its strategies' summary and their children's
// curves overlaid (one colour per strategy, one line per seed), so which strategy learns faster or
// overfits sooner is read off one chart. The curves come from each child's `GET .../metrics`; a
// child that has ended is fetched once, a running one again on every refresh.
import { api } from "./api.js";
import { h, fmt, age, statusBadge } from "./dom.js";
import { lineChart, scheduleUpdate, strategyColor } from "./charts.js";

const ENDED = ["succeeded", "stopped", "failed", "cancelled"];

function spread(stat, digits = 4) {
  if (!stat) return "—";
  return stat.min === stat.max ? fmt(stat.mean, digits) : `${fmt(stat.mean, digits)} [${fmt(stat.min, digits)}, ${fmt(stat.max, digits)}]`;
}

function winnerText(winner) {
  if (!winner) return "— (once every child has ended)";
  if (!winner.runner_up) return `${winner.strategy} (${fmt(winner.test_accuracy)}; the only strategy measured)`;
  return `${winner.strategy} by ${winner.margin >= 0 ? "+" : ""}${fmt(winner.margin)} over ${winner.runner_up} (mean test accuracy ${fmt(winner.test_accuracy)})`;
}

function strategyNames(experiment) {
  return experiment.strategies.map((s) => s.name);
}

export async function experimentsPage(page) {
  const body = h("tbody");
  const note = h("p", { class: "muted" });
  page.append(h("h1", {}, "Experiments"),
    h("div", { class: "card" },
      h("p", { class: "muted" }, "Strategies compared on one base job, each run as child jobs over a list of seeds: ",
        h("code", {}, "POST /v1/experiments"), " or ", h("code", {}, "thaw experiment submit FILE"), "."),
      h("table", { id: "experiments-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "experiment"), h("th", {}, "status"), h("th", {}, "strategies"),
          h("th", { class: "num" }, "children ended"), h("th", {}, "winner"), h("th", { class: "num" }, "age"))), body), note));

  async function refresh() {
    try {
      const list = await api("/v1/experiments?limit=100");
      body.replaceChildren(...list.data.map((experiment) => {
        const ended = experiment.jobs.filter((j) => ENDED.includes(j.status)).length;
        return h("tr", { dataset: { experiment: experiment.id } },
          h("td", {}, h("a", { href: `#/experiments/${experiment.id}` }, experiment.name), h("div", { class: "muted" }, experiment.id)),
          h("td", {}, statusBadge(experiment.status)),
          h("td", {}, strategyNames(experiment).join(", ")),
          h("td", { class: "num" }, `${ended} / ${experiment.jobs.length}`),
          h("td", {}, experiment.winner ? `${experiment.winner.strategy}${experiment.winner.margin !== null ? " (+" + fmt(experiment.winner.margin) + ")" : ""}` : "—"),
          h("td", { class: "num" }, age(experiment.created_at)));
      }));
      note.textContent = list.data.length === 0 ? "No experiments." : list.has_more ? "Showing the newest 100." : "";
      note.classList.remove("error");
    } catch (error) {
      note.textContent = error.message;
      note.classList.add("error");
    }
  }

  await refresh();
  const timer = setInterval(refresh, 3000);
  return () => clearInterval(timer);
}

export async function experimentPage(page, id) {
  const title = h("h1", {}, id);
  const summary = h("dl", { class: "kv", id: "experiment-summary" });
  const strategiesBody = h("tbody", { id: "strategies-body" });
  const childrenBody = h("tbody", { id: "children-body" });
  const error = h("p", { class: "error", id: "experiment-error" });
  const cancel = h("button", { id: "experiment-cancel", onclick: () => cancelExperiment() }, "Cancel the experiment");
  const canvases = { accuracy: h("canvas", { id: "overlay-accuracy-chart" }), loss: h("canvas", { id: "overlay-loss-chart" }) };
  page.append(title,
    h("div", { class: "card" }, h("div", { class: "row" }, h("a", { href: "#/experiments" }, "← experiments"), cancel), summary, error),
    h("div", { class: "card" }, h("h2", {}, "Strategies"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "strategy"), h("th", { class: "num" }, "measured / runs"),
        h("th", { class: "num" }, "test accuracy mean [min, max]"), h("th", { class: "num" }, "epochs"),
        h("th", { class: "num" }, "wall s"), h("th", { class: "num" }, "img/s"))), strategiesBody)),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h2", {}, "Validation accuracy per epoch, every child"), h("div", { class: "chart-box" }, canvases.accuracy)),
      h("div", { class: "card" }, h("h2", {}, "Validation loss per epoch, every child"), h("div", { class: "chart-box" }, canvases.loss))),
    h("div", { class: "card" }, h("h2", {}, "Children"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "job"), h("th", {}, "strategy"), h("th", { class: "num" }, "seed"),
        h("th", {}, "status"), h("th", { class: "num" }, "test accuracy"), h("th", { class: "num" }, "epochs"),
        h("th", { class: "num" }, "wall s"), h("th", { class: "num" }, "img/s"))), childrenBody)));

  const accuracy = lineChart(canvases.accuracy, { xLabel: "epoch", yLabel: "validation accuracy", yMin: 0, yMax: 1, legend: strategyLegend });
  const loss = lineChart(canvases.loss, { xLabel: "epoch", yLabel: "validation loss", legend: strategyLegend });
  const charts = [accuracy, loss];
  const fetched = new Set();  // children whose curves are final (ended when their metrics were read)
  let experiment = null;

  // One line per child, found by its job id; its strategy's colour, and a dash per seed so the
  // seeds of one strategy can be told apart.
  function line(chart, run, seedIndex) {
    let dataset = chart.data.datasets.find((d) => d.jobId === run.job_id);
    if (!dataset) {
      const color = strategyColor(strategyNames(experiment).indexOf(run.strategy));
      const dashes = [[], [6, 3], [2, 2], [10, 3, 2, 3]];
      dataset = { label: `${run.strategy} · seed ${run.seed}`, strategy: run.strategy, jobId: run.job_id, data: [],
                  borderColor: color, backgroundColor: color, pointRadius: 1.5, borderWidth: 1.5,
                  borderDash: dashes[seedIndex % dashes.length] };
      chart.data.datasets.push(dataset);
    }
    return dataset;
  }

  async function loadCurves(run, seedIndex) {
    if (fetched.has(run.job_id)) return;
    const ended = ENDED.includes(run.status);
    let rows;
    try {
      rows = (await api(`/v1/jobs/${run.job_id}/metrics`)).data;
    } catch (problem) {
      if (problem.status === 404) { fetched.add(run.job_id); return; }  // a child deleted through /v1/jobs
      throw problem;
    }
    line(accuracy, run, seedIndex).data = rows.filter((r) => r.val_accuracy !== null).map((r) => ({ x: r.global_epoch, y: r.val_accuracy }));
    line(loss, run, seedIndex).data = rows.filter((r) => r.val_loss !== null).map((r) => ({ x: r.global_epoch, y: r.val_loss }));
    if (ended) fetched.add(run.job_id);
  }

  async function refresh() {
    try {
      experiment = await api(`/v1/experiments/${id}`);
      render();
      const seedIndex = new Map(experiment.jobs.map((run) => [run.job_id, experiment.jobs.filter((o) => o.strategy === run.strategy).indexOf(run)]));
      const started = experiment.jobs.filter((run) => run.status !== "queued");
      await Promise.all(started.map((run) => loadCurves(run, seedIndex.get(run.job_id))));
      charts.forEach(scheduleUpdate);
      error.textContent = "";
    } catch (problem) {
      error.textContent = problem.message;
    }
  }

  function render() {
    title.replaceChildren(experiment.name, " ", statusBadge(experiment.status));
    const ended = experiment.jobs.filter((j) => ENDED.includes(j.status)).length;
    const rows = [["id", experiment.id], ["children ended", `${ended} / ${experiment.jobs.length}`],
      ["winner", winnerText(experiment.winner)], ["finished", experiment.finished_at ? new Date(experiment.finished_at * 1000).toLocaleString() : "—"]];
    summary.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { key: k } }, v)]));
    strategiesBody.replaceChildren(...experiment.strategies.map((s, i) => h("tr", { dataset: { strategy: s.name, winner: String(experiment.winner?.strategy === s.name) } },
      h("td", {}, h("span", { class: "swatch", style: `background: ${strategyColor(i)}` }), s.name, experiment.winner?.strategy === s.name ? " ★" : ""),
      h("td", { class: "num" }, `${s.measured} / ${s.runs}`),
      h("td", { class: "num" }, spread(s.test_accuracy)), h("td", { class: "num" }, spread(s.epochs, 1)),
      h("td", { class: "num" }, spread(s.wall_seconds, 1)), h("td", { class: "num" }, s.images_per_second ? Math.round(s.images_per_second.mean) : "—"))));
    childrenBody.replaceChildren(...experiment.jobs.map((run) => h("tr", { dataset: { job: run.job_id } },
      h("td", {}, h("a", { href: `#/jobs/${run.job_id}` }, run.job_id)), h("td", {}, run.strategy), h("td", { class: "num" }, run.seed),
      h("td", {}, statusBadge(run.status)), h("td", { class: "num" }, fmt(run.test_accuracy)), h("td", { class: "num" }, fmt(run.epochs)),
      h("td", { class: "num" }, fmt(run.wall_seconds, 1)), h("td", { class: "num" }, run.images_per_second ? Math.round(run.images_per_second) : "—"))));
    cancel.disabled = experiment.jobs.every((j) => ENDED.includes(j.status));
  }

  async function cancelExperiment() {
    try {
      await api(`/v1/experiments/${id}/cancel`, { method: "POST" });
      await refresh();
    } catch (problem) {
      error.textContent = problem.code ? `${problem.message} (${problem.code})` : problem.message;
    }
  }

  await refresh();
  const timer = setInterval(() => { if (experiment && !experiment.finished_at) refresh(); }, 3000);
  return () => { clearInterval(timer); charts.forEach((c) => c.destroy()); };
}

// The legend lists strategies, not the (up to 16 x seeds) lines: one entry per strategy, and a click
// shows or hides all of that strategy's lines together.
const strategyLegend = {
  position: "bottom",
  labels: {
    generateLabels(chart) {
      const seen = new Map();
      chart.data.datasets.forEach((d, i) => {
        if (seen.has(d.strategy)) return;
        seen.set(d.strategy, { text: d.strategy, fillStyle: d.borderColor, strokeStyle: d.borderColor, lineWidth: 2,
                               hidden: !chart.isDatasetVisible(i), datasetIndex: i });
      });
      return [...seen.values()];
    },
  },
  onClick(event, item, legend) {
    const chart = legend.chart;
    const strategy = chart.data.datasets[item.datasetIndex].strategy;
    const show = !chart.isDatasetVisible(item.datasetIndex);
    chart.data.datasets.forEach((d, i) => { if (d.strategy === strategy) chart.setDatasetVisibility(i, show); });
    chart.update("none");
  },
};
