// The job editor: a template from examples/ (embedded in thawd, listed in /ui/examples/index.json),
// edited as JSON or field by field (the form is drawn from the JSON), submitted to POST /v1/jobs.
// Validation is the API's: a 422's problems appear beside the fields they name.
import { api } from "./api.js";
import { h, showError, clearErrors } from "./dom.js";

export async function submitPage(page) {
  const templates = await (await fetch("/ui/examples/index.json")).json();
  const picker = h("select", { id: "template" }, templates.map((name) => h("option", { value: name }, name)));
  const text = h("textarea", { id: "spec-json", rows: 24, spellcheck: false, dataset: { field: "body" } });
  const priority = h("input", { id: "priority", type: "text", size: 6, value: "0", dataset: { field: "priority" } });
  const fields = h("div", { class: "spec-form", id: "spec-fields" });
  const jsonError = h("p", { class: "error", id: "json-error" });
  const models = await api("/v1/models?limit=100").catch(() => ({ data: [] }));
  const datasets = await api("/v1/datasets?limit=100").catch(() => ({ data: [] }));
  const lists = h("div", {},
    h("datalist", { id: "model-ids" }, models.data.map((m) => h("option", { value: m.id }, `${m.name} (${m.architecture})`))),
    h("datalist", { id: "dataset-ids" }, datasets.data.map((d) => h("option", { value: d.id }, d.name))));
  const submit = h("button", { type: "submit", class: "primary", id: "submit-job" }, "Submit");
  const form = h("form", { id: "job-form", onsubmit: onSubmit },
    h("div", { class: "row" }, h("label", {}, "template", picker), h("label", {}, "priority (−1000…1000)", priority),
      h("label", {}, "\u00a0", submit)),
    h("div", { class: "form-error error" }),
    h("div", { class: "grid" }, h("div", {}, h("h2", {}, "Fields"), fields), h("div", {}, h("h2", {}, "JSON"), text, jsonError)),
    lists);
  page.append(h("h1", {}, "Submit a job"), h("div", { class: "card" }, form),
    h("p", { class: "muted" }, "The fields are the template's; add or remove keys in the JSON (docs/training.md lists them all)."));

  let spec = {};

  async function load(name) {
    const response = await fetch(`/ui/examples/${encodeURIComponent(name)}`);
    spec = await response.json();
    text.value = JSON.stringify(spec, null, 2);
    drawFields();
    clearErrors(form);
  }

  function drawFields() {
    fields.replaceChildren(node(spec, "", null));
  }

  // One input per leaf, keyed by the API's field path (`phases[0].lr.min`), so a 422 lands beside it.
  function node(value, path, key) {
    if (value !== null && typeof value === "object") {
      const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
      const children = entries.map(([k, v]) => node(v, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k, k));
      if (path === "") return h("div", {}, children);
      return h("fieldset", { dataset: { field: path } }, h("legend", {}, String(key)), children);
    }
    let input;
    if (typeof value === "boolean") {
      input = h("input", { type: "checkbox", checked: value, onchange: () => set(path, input.checked) });
    } else {
      input = h("input", { type: "text", value: value === null ? "null" : String(value), size: 28,
                            list: path === "model.id" ? "model-ids" : path === "dataset.id" ? "dataset-ids" : undefined,
                            oninput: () => set(path, typeof value === "number" ? asNumber(input.value) : value === null ? asJSON(input.value) : input.value) });
    }
    input.dataset.field = path;
    input.name = path;
    return h("div", { class: "leaf" }, h("span", { class: "key" }, String(key)), input);
  }

  const asNumber = (s) => (s.trim() !== "" && !isNaN(Number(s)) ? Number(s) : s);  // a typo is sent as text: the API names it
  const asJSON = (s) => { try { return JSON.parse(s); } catch { return s; } };

  function set(path, value) {
    const keys = path.match(/[^.[\]]+/g).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let target = spec;
    for (const k of keys.slice(0, -1)) target = target[k];
    target[keys[keys.length - 1]] = value;
    text.value = JSON.stringify(spec, null, 2);
  }

  text.addEventListener("input", () => {
    try {
      spec = JSON.parse(text.value);
      jsonError.textContent = "";
      drawFields();
    } catch (error) {
      jsonError.textContent = "Not JSON yet: " + error.message;
    }
  });

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form);
    let body;
    try { body = JSON.parse(text.value); } catch (error) { jsonError.textContent = "Not JSON: " + error.message; return; }
    if (priority.value.trim() !== "" && priority.value.trim() !== "0") body.priority = asNumber(priority.value);
    submit.disabled = true;
    try {
      const job = await api("/v1/jobs", { method: "POST", body });
      location.hash = `#/jobs/${job.id}`;
    } catch (error) {
      showError(form, error);
    } finally {
      submit.disabled = false;
    }
  }

  picker.addEventListener("change", () => load(picker.value));
  if (templates.length) await load(templates[0]);
  return () => {};
}
