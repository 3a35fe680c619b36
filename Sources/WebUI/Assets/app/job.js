// One job, live: its curves built from the SSE event stream (a replay of every stored event, then
// live ones), the groups' state, controls, the final evaluation and the checkpoints.
import { api, token, download } from "./api.js";
import { streamEvents } from "./sse.js";
import { h, fmt, statusBadge } from "./dom.js";
import { lineChart, series, addMarker, scheduleUpdate, MARKER_COLORS } from "./charts.js";
import { controlsCard } from "./controls.js";
import { plannedEpochs, bestText } from "./jobs.js";

export async function jobPage(page, id) {
  const title = h("h1", {}, id);
  const summary = h("dl", { class: "kv", id: "job-summary" });
  const streamState = h("span", { class: "muted", id: "stream-state" }, "connecting");
  const groupsBody = h("tbody", { id: "groups-body" });
  const log = h("div", { class: "log", id: "event-log" });
  const perClass = h("div", { id: "per-class" }, h("p", { class: "muted" }, "After the first epoch."));
  const confusion = h("div", { id: "confusion" }, h("p", { class: "muted" }, "Once the job has been evaluated on its test split."));
  const checkpoints = h("div", { id: "checkpoints" });
  const confusionTitle = h("h2", { id: "confusion-title" }, "Confusion matrix (test split)");
  const canvases = {
    loss: h("canvas", { id: "loss-chart" }), accuracy: h("canvas", { id: "accuracy-chart" }), lr: h("canvas", { id: "lr-chart" }),
  };
  const controls = controlsCard(id, () => refreshJob());
  page.append(title,
    h("div", { class: "card" }, h("div", { class: "row" }, h("a", { href: "#/jobs" }, "← jobs"), streamState), summary),
    controls.element,
    h("div", { class: "card" }, h("h2", {}, "Groups"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "group"), h("th", {}, "trainable"), h("th", { class: "num" }, "LR now"), h("th", { class: "num" }, "peak LR"))), groupsBody)),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h2", {}, "Loss per epoch"), h("div", { class: "chart-box" }, canvases.loss)),
      h("div", { class: "card" }, h("h2", {}, "Validation accuracy per epoch"), h("div", { class: "chart-box" }, canvases.accuracy)),
      h("div", { class: "card" }, h("h2", {}, "LR of every group over steps"), h("div", { class: "chart-box" }, canvases.lr)),
      h("div", { class: "card" }, h("h2", {}, "Acknowledgements, advice, phases"), log)),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h2", { id: "per-class-title" }, "Per-class accuracy"), perClass),
      h("div", { class: "card" }, confusionTitle, confusion)),
    h("div", { class: "card" }, h("h2", {}, "Checkpoints"), checkpoints));

  const loss = lineChart(canvases.loss, { xLabel: "epoch", yLabel: "loss" });
  const accuracy = lineChart(canvases.accuracy, { xLabel: "epoch", yLabel: "accuracy", yMin: 0, yMax: 1 });
  const lr = lineChart(canvases.lr, { xLabel: "step", yLabel: "LR (log)", logY: true });
  const charts = [loss, accuracy, lr];
  let lastEpoch = 0;
  let lastStep = 0;
  let job = null;

  function note(kind, text, data) {
    log.append(h("div", { class: kind, dataset: data || {} }, text));
    log.scrollTop = log.scrollHeight;
  }

  function mark(kind, label, epochX, stepX) {
    const color = MARKER_COLORS[kind];
    addMarker(loss, { x: epochX, label, color, kind });
    addMarker(accuracy, { x: epochX, label, color, kind });
    if (stepX !== undefined) addMarker(lr, { x: stepX, label, color, kind });
  }

  // Only trainable groups: a frozen group's LR is not applied, and would hide the spread.
  function lrPoints(lrs, step, trainable) {
    for (const [group, value] of Object.entries(lrs || {})) {
      if (value > 0 && (!trainable || trainable.includes(group))) series(lr, group, { stepped: true }).data.push({ x: step, y: value });
    }
  }

  // An epoch run again after a restart (thawd resumes from the last epoch-end checkpoint) replaces
  // its earlier point rather than drawing a second one.
  function put(dataset, x, y) {
    const i = dataset.data.findIndex((p) => p.x >= x);
    if (i < 0) dataset.data.push({ x, y });
    else if (dataset.data[i].x === x) dataset.data[i] = { x, y };
    else dataset.data.splice(i, 0, { x, y });
  }

  function onEvent({ type, data }) {
    switch (type) {
      case "phase":
        if (data.event === "started" || data.event === "resumed") {
          mark("phase", `${data.phase}${data.event === "resumed" ? " (resumed)" : ""}`, lastEpoch, lastStep);
          note("log-phase", `phase ${data.phase} ${data.event}: trainable ${(data.trainable || []).join(", ")}`, { phase: data.phase, phaseEvent: data.event });
        } else {
          note("log-phase", `phase ${data.phase} ended${data.reason ? " (" + data.reason + ")" : ""}`);
        }
        break;
      case "epoch": {
        const x = data.global_epoch;
        if (data.train_loss !== null) put(series(loss, "train loss"), x, data.train_loss);
        if (data.val_loss !== null) put(series(loss, "val loss"), x, data.val_loss);
        if (data.val_accuracy !== null) put(series(accuracy, "val accuracy", { color: "#16a34a" }), x, data.val_accuracy);
        lastEpoch = x;
        lastStep = data.global_step;
        lrPoints(data.lrs, data.global_step, data.trainable);
        refreshJob();
        if (data.is_best && Object.keys(data.per_class_accuracy || {}).length) {
          showPerClass(data.per_class_accuracy, `validation, best epoch ${x}`);
        }
        break;
      }
      case "control": {
        const ok = data.ok !== false;
        const label = `${data.action}${ok ? "" : " refused"}`;
        mark(ok ? (data.action === "pause" || data.action === "resume" ? "pause" : "control") : "refused", label, lastEpoch + 0.5, lastStep);
        if (ok) lrPoints(data.lrs, lastStep, data.trainable);
        const state = ok ? `trainable ${(data.trainable || []).join(", ")}; peak LRs ${Object.entries(data.peak_lrs || {}).map(([g, v]) => `${g} ${fmt(v)}`).join(", ")}${data.paused ? "; paused" : ""}`
          : data.error;
        note(ok ? "ack-ok" : "ack-refused", `${data.action} ${ok ? "acknowledged" : "refused"}${data.id ? " (" + data.id + ")" : ""}: ${state}`,
          { action: data.action, ok: String(ok), command: data.id || "" });
        refreshJob();
        break;
      }
      case "advice":
        mark("advice", data.code, data.global_epoch);
        note("log-advice", `advice (${data.code}, epoch ${data.global_epoch}): ${data.message}`, { advice: data.code });
        break;
      case "checkpoint":
        refreshCheckpoints();
        break;
      case "test": {
        // An evaluate job's test event names the split it measured (`split`); a training job's is the test split.
        const where = `${data.split ?? "test"} split`;
        if (data.per_class_accuracy) showPerClass(data.per_class_accuracy, where, data.confusion_matrix?.classes);
        confusionTitle.textContent = `Confusion matrix (${where}, ${data.split ? "evaluated model" : data.restored_best ? "best checkpoint, epoch " + data.best_epoch : "final weights"})`;
        showConfusion(data.confusion_matrix);
        if (typeof data.test_accuracy === "number") series(accuracy, "test accuracy", { color: "#9333ea" }).data.push({ x: lastEpoch, y: data.test_accuracy });
        note("log-phase", data.split ? `evaluate (${where}): accuracy ${fmt(data.test_accuracy)}, loss ${fmt(data.test_loss)}`
          : `test: accuracy ${fmt(data.test_accuracy)}, loss ${fmt(data.test_loss)}; stop reason ${data.stop_reason ?? "none (ran every epoch)"}`);
        break;
      }
      case "status":
        note("log-status", `status ${data.status}${data.error ? ": " + data.error.code + " — " + data.error.message : ""}`);
        refreshJob();
        break;
      case "run":
        if (data.status !== "started") note("log-status", `run ${data.status}${data.reason ? " (" + data.reason + ")" : ""}`);
        break;
      case "lr_find":
        note("log-phase", `LR finder: suggestions ${JSON.stringify(data.suggestions)}`);
        break;
      case "interrupted":
        note("log-status", `interrupted (${data.reason ?? "thawd was not running"}): resumes from the last checkpoint`);
        break;
      case "shutdown":
        note("log-status", "thawd is stopping; the page reconnects when it is back");
        break;
      case "end":
        refreshJob();
        refreshCheckpoints();
        break;
    }
    charts.forEach(scheduleUpdate);
  }

  // In label order when known (the wire sorts a map's keys by name).
  function showPerClass(map, where, order) {
    document.getElementById("per-class-title").textContent = `Per-class accuracy (${where})`;
    const names = order && order.every((n) => n in map) ? order : Object.keys(map);
    perClass.replaceChildren(h("table", {}, h("tbody", {}, names.map((name) => [name, map[name]]).map(([name, value]) =>
      h("tr", {}, h("td", {}, name), h("td", { class: "num" }, fmt(value, 3)),
        h("td", { style: "width: 50%" }, bar(value)))))));
  }

  function bar(value) {
    const element = h("div", { class: "bar" });
    element.style.width = `${Math.round((value ?? 0) * 100)}%`;
    return element;
  }

  function showConfusion(matrix) {
    if (!matrix || !matrix.classes) {
      confusion.replaceChildren(h("p", { class: "muted" }, "This job's test event has no confusion matrix (no test split)."));
      return;
    }
    const table = h("table", { class: "confusion", id: "confusion-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "true \\ predicted"), matrix.classes.map((c) => h("th", {}, c)))),
      h("tbody", {}, matrix.counts.map((row, i) => {
        const total = row.reduce((a, b) => a + b, 0) || 1;
        return h("tr", {}, h("th", { class: "rowhead" }, matrix.classes[i]), row.map((count, j) => {
          const cell = h("td", { title: `${matrix.classes[i]} → ${matrix.classes[j]}: ${count}` }, count);
          const share = count / total;
          cell.style.background = i === j ? `rgba(22, 163, 74, ${0.1 + 0.8 * share})` : `rgba(220, 38, 38, ${share * 1.5})`;
          if (share > 0.6) cell.style.color = "#fff";
          return cell;
        }));
      })));
    confusion.replaceChildren(table, h("p", { class: "muted" }, "Rows: the true class; columns: the predicted one (counts)."));
  }

  async function refreshCheckpoints() {
    try {
      const list = await api(`/v1/jobs/${id}/checkpoints`);
      const link = (kind) => {
        const path = `/v1/jobs/${id}/weights?checkpoint=${kind}`;
        const filename = `${id}-${kind}.safetensors`;
        // Without a token a plain link downloads; with one the file is fetched with the header.
        return token() ? h("a", { href: "#", class: "download", dataset: { kind }, onclick: (e) => { e.preventDefault(); download(path, filename); } }, `${kind} weights`)
          : h("a", { href: path, download: filename, class: "download", dataset: { kind } }, `${kind} weights`);
      };
      const hasBest = list.data.some((c) => c.kind === "best");
      const hasEpoch = list.data.some((c) => c.kind === "epoch");
      checkpoints.replaceChildren(
        h("div", { class: "row" }, hasBest ? link("best") : null, hasEpoch ? link("last") : null,
          !hasBest && !hasEpoch ? h("span", { class: "muted" }, "None yet (the first is written at the first epoch's end).") : null),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "kind"), h("th", { class: "num" }, "epoch"), h("th", { class: "num" }, "val loss"),
          h("th", { class: "num" }, "val acc"), h("th", { class: "num" }, "bytes"), h("th", {}, "sha256"))),
        h("tbody", {}, list.data.map((c) => h("tr", {}, h("td", {}, c.kind), h("td", { class: "num" }, c.epoch),
          h("td", { class: "num" }, fmt(c.metrics?.val_loss)), h("td", { class: "num" }, fmt(c.metrics?.val_accuracy)),
          h("td", { class: "num" }, c.size), h("td", { class: "muted" }, c.sha256.slice(0, 16) + "…"))))));
    } catch (error) {
      checkpoints.replaceChildren(h("p", { class: "error" }, error.message));
    }
  }

  // One request at a time; a refresh asked for meanwhile runs once after it (a replay of hundreds
  // of events asks hundreds of times), so the last state is always fetched.
  let refreshing = null;
  let again = false;
  async function refreshJob() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async () => {
      do {
        again = false;
        try {
          job = await api(`/v1/jobs/${id}`);
          render();
        } catch (error) {
          summary.replaceChildren(h("dt", {}, "error"), h("dd", { class: "error" }, error.message));
        }
      } while (again);
      refreshing = null;
    })();
    return refreshing;
  }

  function render() {
    title.replaceChildren(job.name, " ", statusBadge(job.status));
    const planned = plannedEpochs(job);
    const result = job.result || {};
    const rows = [
      ["id", job.id], ["type", job.type], ["model", job.model_id ?? job.model?.architecture ?? "—"], ["dataset", job.dataset?.id],
      ["phase", job.phase ?? "—"], ["epoch", `${job.epoch ?? 0}${planned ? " / " + planned : ""}`], ["step", job.step ?? "—"],
      ["best", bestText(job)],
      ["stop reason", job.result ? (result.stop_reason ?? "none (ran every epoch)") : "—"],
      ["test accuracy", fmt(result.test_accuracy)],
    ];
    if ("node" in job) rows.push(["node", job.node ?? "—"]);
    if (job.experiment) rows.push(["experiment", h("a", { href: `#/experiments/${job.experiment}` }, job.experiment)]);
    if (job.error) rows.push(["error", `${job.error.code}: ${job.error.message}`]);
    summary.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { key: k } }, v)]));
    groupsBody.replaceChildren(...(job.groups || []).map((g) => h("tr", { dataset: { group: g.name, trainable: String(g.trainable) } },
      h("td", {}, g.name), h("td", {}, g.trainable ? "trainable" : "frozen"), h("td", { class: "num" }, fmt(g.lr)), h("td", { class: "num" }, fmt(g.peak_lr)))));
    controls.update(job);
  }

  await refreshJob();
  refreshCheckpoints();
  const stream = streamEvents(`/v1/jobs/${id}/events`, {
    onEvent,
    onState: (text) => { streamState.textContent = "stream " + text; streamState.dataset.state = text.split(" ")[0]; },
  });
  const poll = setInterval(() => { if (job && ["running", "paused", "queued"].includes(job.status)) refreshJob(); }, 3000);
  return () => { stream.stop(); clearInterval(poll); charts.forEach((c) => c.destroy()); };
}
