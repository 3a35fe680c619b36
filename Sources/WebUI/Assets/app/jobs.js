// The jobs list: refreshed every 2 s, filtered by status with the API's own ?status=.
import { api } from "./api.js";
import { h, fmt, age, statusBadge } from "./dom.js";

const STATUSES = ["queued", "running", "paused", "succeeded", "stopped", "failed", "cancelled"];

/** Planned epochs from the spec's phases, or null when the spec does not say (a preset, open-ended). */
export function plannedEpochs(job) {
  const phases = job.spec?.phases;
  if (!Array.isArray(phases) || phases.some((p) => typeof p.epochs !== "number")) return null;
  return phases.reduce((sum, p) => sum + p.epochs, 0);
}

export function bestText(job) {
  const result = job.result;
  if (result && result.best_metric) return `${result.best_metric} ${fmt(result.best_value)} (epoch ${result.best_epoch ?? "—"})`;
  const best = job.metrics?.best;
  if (!best) return "—";
  return `val_acc ${fmt(best.val_accuracy)} · val_loss ${fmt(best.val_loss)} (epoch ${best.global_epoch})`;
}

function progress(fraction) {
  const fill = h("div", { class: "bar" });
  fill.style.width = `${Math.min(100, Math.round(fraction * 100))}%`;
  return h("div", { class: "progress" }, fill);
}

export async function jobsPage(page) {
  const filter = h("select", { id: "status-filter", onchange: () => refresh() },
    h("option", { value: "" }, "all statuses"), STATUSES.map((s) => h("option", { value: s }, s)));
  const body = h("tbody");
  const head = h("thead");
  const note = h("p", { class: "muted" });
  page.append(h("h1", {}, "Jobs"),
    h("div", { class: "card" },
      h("div", { class: "row" }, h("label", {}, "Status", filter), h("a", { href: "#/submit" }, h("button", { class: "primary" }, "Submit a job"))),
      h("table", { id: "jobs-table" }, head, body), note));

  async function refresh() {
    try {
      const query = filter.value ? `&status=${encodeURIComponent(filter.value)}` : "";
      const list = await api(`/v1/jobs?limit=100${query}`);
      const showNode = list.data.some((job) => "node" in job);
      head.replaceChildren(h("tr", {}, h("th", {}, "job"), h("th", {}, "status"), h("th", {}, "phase"),
        h("th", { class: "num" }, "epoch"), h("th", {}, "best"), showNode ? h("th", {}, "node") : null, h("th", { class: "num" }, "age")));
      body.replaceChildren(...list.data.map((job) => {
        const planned = plannedEpochs(job);
        return h("tr", { dataset: { job: job.id } },
          h("td", {}, h("a", { href: `#/jobs/${job.id}` }, job.name), h("div", { class: "muted" }, job.id)),
          h("td", {}, statusBadge(job.status), job.error ? h("div", { class: "error" }, job.error.code) : null),
          h("td", {}, job.phase ?? "—"),
          h("td", { class: "num" }, `${job.epoch ?? 0}${planned ? " / " + planned : ""}`, planned ? progress((job.epoch ?? 0) / planned) : null),
          h("td", {}, bestText(job)),
          showNode ? h("td", {}, job.node ?? "—") : null,
          h("td", { class: "num" }, age(job.created_at)));
      }));
      note.textContent = list.data.length === 0 ? "No jobs" + (filter.value ? ` with status ${filter.value}` : "") + "."
        : list.has_more ? "Showing the newest 100." : "";
      note.classList.remove("error");
    } catch (error) {
      note.textContent = error.message;
      note.classList.add("error");
    }
  }

  await refresh();
  const timer = setInterval(refresh, 2000);
  return () => clearInterval(timer);
}
