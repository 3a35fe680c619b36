// The single page: hash routes (#/jobs, #/jobs/<id>, #/experiments, #/experiments/<id>, #/submit,
// #/models, #/datasets), so the server has one page to serve and a reload keeps the view.
import { api } from "./api.js";
import { jobsPage } from "./jobs.js";
import { jobPage } from "./job.js";
import { submitPage } from "./submit.js";
import { modelsPage } from "./models.js";
import { datasetsPage } from "./datasets.js";
import { experimentsPage, experimentPage } from "./experiments.js";

let current = null;  // the shown page's cleanup (timers, streams)

async function route() {
  if (current) current();
  current = null;
  const hash = location.hash || "#/jobs";
  const parts = hash.slice(2).split("/").map(decodeURIComponent);
  const page = document.getElementById("page");
  page.replaceChildren();
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === parts[0]));
  let view;
  if (parts[0] === "jobs" && parts[1]) view = jobPage(page, parts[1]);
  else if (parts[0] === "experiments" && parts[1]) view = experimentPage(page, parts[1]);
  else if (parts[0] === "experiments") view = experimentsPage(page);
  else if (parts[0] === "submit") view = submitPage(page, parts[1]);
  else if (parts[0] === "models") view = modelsPage(page);
  else if (parts[0] === "datasets") view = datasetsPage(page);
  else view = jobsPage(page);
  current = await view;
}

async function serverState() {
  try {
    const health = await api("/healthz");
    document.getElementById("server-state").textContent = `thawd ${health.version} · up ${Math.round(health.uptime_seconds)} s`;
  } catch {
    document.getElementById("server-state").textContent = "thawd unreachable";
  }
}

window.addEventListener("hashchange", route);
route();
serverState();
setInterval(serverState, 10_000);
