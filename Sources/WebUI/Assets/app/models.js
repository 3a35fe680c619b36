// Models: the list, with weights downloads; register a built-in architecture, promote a job's
// checkpoint, or upload safetensors (sent raw, as application/octet-stream).
import { api, token, download } from "./api.js";
import { h, age, showError, clearErrors } from "./dom.js";

const ARCHITECTURES = ["small-cnn", "resnet-mini", "resnet18", "resnet34", "resnet50", "vgg16"];

function field(label, name, attributes = {}) {
  const input = h("input", { type: "text", name, id: `model-${name}`, dataset: { field: name }, ...attributes });
  return [h("label", {}, label, input), input];
}

/** `form`'s inputs as a body: empty ones left out, numbers as numbers. */
function values(inputs) {
  const body = {};
  for (const [name, input] of Object.entries(inputs)) {
    const v = input.value.trim();
    if (v === "") continue;
    body[name] = input.type === "text" && input.dataset.number && !isNaN(Number(v)) ? Number(v) : v;
  }
  return body;
}

export async function modelsPage(page) {
  const body = h("tbody");
  const note = h("p", { class: "muted" });

  const [nameL, name] = field("name", "name");
  const arch = h("select", { name: "architecture", id: "model-architecture", dataset: { field: "architecture" } }, ARCHITECTURES.map((a) => h("option", { value: a }, a)));
  const [classesL, classes] = field("num_classes", "num_classes", { size: 6, dataset: { field: "num_classes", number: "1" } });
  const [seedL, seed] = field("seed", "seed", { size: 6, dataset: { field: "seed", number: "1" } });
  const builtinForm = h("form", { id: "model-builtin-form", onsubmit: (e) => { e.preventDefault(); send(builtinForm, values({ name, architecture: arch, num_classes: classes, seed })); } },
    h("h2", {}, "A built-in architecture, fresh weights"),
    h("div", { class: "row" }, nameL, h("label", {}, "architecture", arch), classesL, seedL, h("label", {}, "\u00a0", h("button", { class: "primary" }, "Register"))),
    h("div", { class: "form-error error" }));

  const [pNameL, pName] = field("name", "name", { id: "promote-name" });
  const [jobL, job] = field("job id", "from_job", { id: "promote-job", size: 24 });
  const checkpoint = h("select", { name: "checkpoint", id: "promote-checkpoint", dataset: { field: "checkpoint" } }, h("option", {}, "best"), h("option", {}, "last"));
  const promoteForm = h("form", { id: "model-promote-form", onsubmit: (e) => { e.preventDefault(); send(promoteForm, values({ from_job: job, name: pName, checkpoint })); } },
    h("h2", {}, "Promote a job's checkpoint"),
    h("div", { class: "row" }, jobL, pNameL, h("label", {}, "checkpoint", checkpoint), h("label", {}, "\u00a0", h("button", { class: "primary" }, "Promote"))),
    h("div", { class: "form-error error" }));

  const [uNameL, uName] = field("name", "name", { id: "upload-name" });
  const uArch = h("select", { name: "architecture", id: "upload-architecture", dataset: { field: "architecture" } },
    h("option", { value: "" }, "from the file's metadata"), ARCHITECTURES.map((a) => h("option", { value: a }, a)));
  const file = h("input", { type: "file", id: "upload-file", accept: ".safetensors", dataset: { field: "weights" } });
  const uploadForm = h("form", { id: "model-upload-form", onsubmit: async (e) => {
    e.preventDefault();
    clearErrors(uploadForm);
    if (!file.files[0]) { showError(uploadForm, { message: "choose a .safetensors file", details: [{ field: "weights", message: "choose a file" }] }); return; }
    const query = new URLSearchParams({ name: uName.value });
    if (uArch.value) query.set("architecture", uArch.value);
    try {
      await api(`/v1/models?${query}`, { method: "POST", raw: file.files[0] });
      refresh();
    } catch (error) { showError(uploadForm, error); }
  } }, h("h2", {}, "Upload safetensors weights"),
    h("div", { class: "row" }, uNameL, h("label", {}, "architecture", uArch), h("label", {}, "file", file), h("label", {}, "\u00a0", h("button", { class: "primary" }, "Upload"))),
    h("div", { class: "form-error error" }));

  page.append(h("h1", {}, "Models"),
    h("div", { class: "card" }, h("table", { id: "models-table" }, h("thead", {}, h("tr", {}, ["model", "architecture", "groups", "classes", "source", "age", "weights"].map((c) => h("th", {}, c)))), body), note),
    h("div", { class: "card" }, builtinForm), h("div", { class: "card" }, promoteForm), h("div", { class: "card" }, uploadForm));

  async function send(form, request) {
    clearErrors(form);
    try {
      await api("/v1/models", { method: "POST", body: request });
      refresh();
    } catch (error) { showError(form, error); }
  }

  async function refresh() {
    try {
      const list = await api("/v1/models?limit=100");
      body.replaceChildren(...list.data.map((m) => {
        const path = `/v1/models/${m.id}/weights`;
        const link = token() ? h("a", { href: "#", onclick: (e) => { e.preventDefault(); download(path, `${m.id}.safetensors`); } }, "download")
          : h("a", { href: path, download: `${m.id}.safetensors` }, "download");
        return h("tr", { dataset: { model: m.id } }, h("td", {}, m.name, h("div", { class: "muted" }, m.id)), h("td", {}, m.architecture),
          h("td", {}, m.groups.join(", ")), h("td", {}, m.num_classes), h("td", {}, m.source.type + (m.source.job_id ? " " + m.source.job_id : "")),
          h("td", {}, age(m.created_at)), h("td", {}, m.weights ? link : "—"));
      }));
      note.textContent = list.data.length ? "" : "No models registered.";
    } catch (error) { note.textContent = error.message; }
  }
  await refresh();
  return () => {};
}
