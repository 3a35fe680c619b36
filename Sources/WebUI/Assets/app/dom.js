// Small DOM helpers: element building (text is always set as text, never parsed as HTML), number
// formatting, and showing an API refusal next to the inputs it names.

/** h("div", {class: "x", onclick: f}, child, "text", ...) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key in element && key !== "list" && typeof value !== "string") element[key] = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(digits);
}

export function age(seconds) {
  if (!seconds) return "—";
  const s = Math.max(0, Date.now() / 1000 - seconds);
  if (s < 60) return Math.floor(s) + "s";
  if (s < 3600) return Math.floor(s / 60) + "m";
  if (s < 86400) return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  return Math.floor(s / 86400) + "d";
}

export function statusBadge(status) {
  return h("span", { class: "status status-" + status, dataset: { status } }, status);
}

/**
 * Shows `error` (an APIError or any Error) in `form`: each `details` entry beside the input whose
 * `data-field` is that field (or the closest enclosing path, `phases[0].lr.min` → `phases[0].lr`),
 * the rest (and the message) in the form's `.form-error` box.
 */
export function showError(form, error) {
  clearErrors(form);
  const box = form.querySelector(".form-error");
  const unplaced = [];
  for (const detail of error.details || []) {
    const target = fieldElement(form, detail.field);
    if (target) {
      target.classList.add("invalid");
      const note = h("span", { class: "field-error", dataset: { errorFor: detail.field } },
        (target.dataset.field === detail.field ? "" : detail.field + ": ") + detail.message);
      (target.closest(".leaf, label") || target).append(note);
    } else {
      unplaced.push(detail);
    }
  }
  if (box) {
    box.replaceChildren(h("div", {}, error.code ? `${error.message} (${error.code})` : error.message));
    if (unplaced.length) box.append(h("ul", { class: "problems" }, unplaced.map((d) => h("li", {}, h("code", {}, d.field), ": ", d.message))));
  }
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  const box = form.querySelector(".form-error");
  if (box) box.replaceChildren();
}

function fieldElement(form, field) {
  let path = field;
  while (path) {
    const found = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (found) return found;
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    if (cut <= 0) return null;
    path = path.slice(0, cut);
  }
  return null;
}
