// Datasets: the list, and registering an image folder under thawd's --dataset-root.
import { api } from "./api.js";
import { h, age, showError, clearErrors } from "./dom.js";

export async function datasetsPage(page) {
  const body = h("tbody");
  const note = h("p", { class: "muted" });
  const input = (name, attributes = {}) => h("input", { type: "text", name, id: `dataset-${name}`, dataset: { field: name }, ...attributes });
  const name = input("name"), path = input("path", { size: 30 }), imageSize = input("image_size", { size: 5, value: "28" });
  const channels = h("select", { name: "channels", id: "dataset-channels", dataset: { field: "channels" } },
    h("option", { value: "1" }, "1 (grayscale)"), h("option", { value: "3" }, "3 (RGB)"));
  const form = h("form", { id: "dataset-form", onsubmit: async (e) => {
    e.preventDefault();
    clearErrors(form);
    const request = { name: name.value, path: path.value, channels: Number(channels.value) };
    const size = imageSize.value.trim();
    if (size !== "") request.image_size = isNaN(Number(size)) ? size : Number(size);
    try {
      const dataset = await api("/v1/datasets", { method: "POST", body: request });
      form.querySelector(".form-error").textContent = `registered ${dataset.id}: ${dataset.classes.length} classes, ${dataset.num_images.train} train / ${dataset.num_images.test ?? 0} test images`
        + (dataset.skipped.length ? `, ${dataset.skipped.length} skipped` : "");
      refresh();
    } catch (error) { showError(form, error); }
  } }, h("h2", {}, "Register an image folder"),
    h("p", { class: "muted" }, "A path relative to thawd's --dataset-root: class folders (ImageFolder), or train/ and test/ each holding them."),
    h("div", { class: "row" }, h("label", {}, "name", name), h("label", {}, "path", path), h("label", {}, "channels", channels),
      h("label", {}, "image size", imageSize), h("label", {}, "\u00a0", h("button", { class: "primary" }, "Register"))),
    h("div", { class: "form-error error" }));
  page.append(h("h1", {}, "Datasets"),
    h("div", { class: "card" }, h("table", { id: "datasets-table" }, h("thead", {}, h("tr", {}, ["dataset", "classes", "train", "test", "skipped", "age"].map((c) => h("th", {}, c)))), body), note),
    h("div", { class: "card" }, form));

  async function refresh() {
    try {
      const list = await api("/v1/datasets?limit=100");
      body.replaceChildren(...list.data.map((d) => h("tr", { dataset: { dataset: d.id } },
        h("td", {}, d.name, h("div", { class: "muted" }, d.id + (d.builtin ? " (built in)" : ""))),
        h("td", {}, d.classes.length <= 12 ? d.classes.join(", ") : `${d.classes.length} classes`),
        h("td", { class: "num" }, d.num_images.train), h("td", { class: "num" }, d.num_images.test ?? 0),
        h("td", { class: "num" }, d.skipped.length), h("td", {}, d.builtin ? "—" : age(d.created_at)))));
      note.textContent = list.data.length ? "" : "No datasets.";
    } catch (error) { note.textContent = error.message; }
  }
  await refresh();
  return () => {};
}
