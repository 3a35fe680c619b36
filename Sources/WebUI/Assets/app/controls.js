// Steering a job (docs/api.md, "Control commands"): pause / resume / stop / cancel, unfreeze or
// freeze (groups, last N groups, last N layers, all; with an LR), and LRs per group. Every refusal
// is shown as the API sent it, beside the input its field names.
import { api } from "./api.js";
import { h, showError, clearErrors } from "./dom.js";

/** Parses "1e-4" → 0.0001 and "1e-5, 1e-3" → {min, max}; anything else is sent as typed so the API names the problem. */
export function parseLR(text) {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 2 && parts.every((p) => p !== "" && !isNaN(Number(p)))) return { min: Number(parts[0]), max: Number(parts[1]) };
  if (parts.length === 1 && !isNaN(Number(parts[0]))) return Number(parts[0]);
  return text;
}

function numberOrText(text) {
  return text.trim() !== "" && !isNaN(Number(text)) ? Number(text) : text;
}

export function controlsCard(jobId, onSent) {
  const card = h("div", { class: "card", id: "controls" }, h("h2", {}, "Controls"));
  const groupNames = [];
  let status = null;

  // Lifecycle buttons.
  const lifecycleForm = h("form", { class: "controls", onsubmit: (e) => e.preventDefault() });
  const buttons = {};
  for (const action of ["pause", "resume", "stop", "cancel"]) {
    buttons[action] = h("button", { type: "button", id: `control-${action}`, onclick: () => send(lifecycleForm, action, undefined) }, action);
  }
  lifecycleForm.append(h("div", { class: "row" }, Object.values(buttons)), h("div", { class: "form-error error" }));

  // Unfreeze / freeze.
  const freezeAction = h("select", { id: "freeze-action" }, h("option", { value: "unfreeze" }, "unfreeze"), h("option", { value: "freeze" }, "freeze"));
  const target = h("select", { id: "freeze-target" },
    h("option", { value: "groups" }, "groups"), h("option", { value: "last" }, "last N groups"),
    h("option", { value: "last_layers" }, "last N layers"), h("option", { value: "all" }, "all"));
  const groupBoxes = h("span", { class: "row", id: "freeze-groups", dataset: { field: "groups" } });
  const lastInput = h("input", { id: "freeze-last", type: "text", size: 4, value: "1", dataset: { field: "last" } });
  const lastLayersInput = h("input", { id: "freeze-last-layers", type: "text", size: 4, value: "1", dataset: { field: "last_layers" } });
  const lrInput = h("input", { id: "freeze-lr", type: "text", size: 14, placeholder: "phase's LR", dataset: { field: "lr" } });
  const lrLabel = h("label", {}, "LR (number or min,max)", lrInput);
  const targetFields = {
    groups: h("label", {}, "groups", groupBoxes),
    last: h("label", {}, "N groups", lastInput),
    last_layers: h("label", {}, "N layers", lastLayersInput),
    all: null,
  };
  const targetBox = h("span");
  function showTarget() {
    targetBox.replaceChildren(targetFields[target.value] || "");
    lrLabel.hidden = freezeAction.value !== "unfreeze";
  }
  target.addEventListener("change", showTarget);
  freezeAction.addEventListener("change", showTarget);
  const freezeForm = h("form", { id: "freeze-form", onsubmit: (e) => {
    e.preventDefault();
    const body = {};
    if (target.value === "groups") body.groups = [...groupBoxes.querySelectorAll("input:checked")].map((i) => i.value);
    else if (target.value === "last") body.last = numberOrText(lastInput.value);
    else if (target.value === "last_layers") body.last_layers = numberOrText(lastLayersInput.value);
    else body.all = true;
    if (freezeAction.value === "unfreeze" && lrInput.value.trim() !== "") body.lr = parseLR(lrInput.value);
    send(freezeForm, freezeAction.value, body);
  } }, h("h2", {}, "Unfreeze / freeze"),
    h("div", { class: "row" }, h("label", {}, "action", freezeAction), h("label", {}, "target", target), targetBox, lrLabel,
      h("label", {}, "\u00a0", h("button", { type: "submit", id: "freeze-submit", class: "primary" }, "Send"))),
    h("div", { class: "form-error error" }));
  showTarget();

  // LRs.
  const lrMode = h("select", { id: "lr-mode" }, h("option", { value: "set" }, "set all peaks"),
    h("option", { value: "scale" }, "scale peaks"), h("option", { value: "groups" }, "set per group"));
  const lrAll = h("input", { id: "lr-all", type: "text", size: 14, placeholder: "1e-4 or 1e-5,1e-3", dataset: { field: "lr" } });
  const lrScale = h("input", { id: "lr-scale", type: "text", size: 6, value: "0.5", dataset: { field: "scale" } });
  const lrPerGroup = h("span", { class: "row", id: "lr-groups", dataset: { field: "groups" } });
  const lrFields = { set: h("label", {}, "LR", lrAll), scale: h("label", {}, "factor", lrScale), groups: lrPerGroup };
  const lrBox = h("span");
  const showLRMode = () => lrBox.replaceChildren(lrFields[lrMode.value]);
  lrMode.addEventListener("change", showLRMode);
  const lrForm = h("form", { id: "lr-form", onsubmit: (e) => {
    e.preventDefault();
    let body;
    if (lrMode.value === "set") body = { lr: parseLR(lrAll.value) };
    else if (lrMode.value === "scale") body = { scale: numberOrText(lrScale.value) };
    else {
      body = { groups: {} };
      for (const input of lrPerGroup.querySelectorAll("input")) if (input.value.trim() !== "") body.groups[input.name] = numberOrText(input.value);
    }
    send(lrForm, "lr", body);
  } }, h("h2", {}, "Learning rates"),
    h("div", { class: "row" }, h("label", {}, "change", lrMode), lrBox,
      h("label", {}, "\u00a0", h("button", { type: "submit", id: "lr-submit", class: "primary" }, "Send"))),
    h("div", { class: "form-error error" }));
  showLRMode();

  const sent = h("div", { class: "muted", id: "control-sent" });
  card.append(lifecycleForm, freezeForm, lrForm, sent);

  async function send(form, action, body) {
    clearErrors(form);
    try {
      const command = await api(`/v1/jobs/${jobId}/${action}`, { method: "POST", body: body ?? {} });
      sent.textContent = `${action}: ${command.id} ${command.status}${command.message ? " — " + command.message : ""}`;
      onSent(command);
    } catch (error) {
      showError(form, error);
    }
  }

  /** Follows the job: which buttons apply, and the model's groups for the pickers. */
  function update(job) {
    status = job.status;
    const final = ["succeeded", "stopped", "failed", "cancelled"].includes(status);
    card.hidden = final;
    buttons.pause.disabled = status !== "running";
    buttons.resume.disabled = status !== "paused";
    buttons.stop.disabled = !(status === "running" || status === "paused");
    buttons.cancel.disabled = final;
    const names = (job.groups || []).map((g) => g.name);
    if (names.join() !== groupNames.join()) {
      groupNames.splice(0, groupNames.length, ...names);
      groupBoxes.replaceChildren(...names.map((n) => h("label", { class: "inline" }, h("input", { type: "checkbox", value: n, name: "group" }), n)));
      lrPerGroup.replaceChildren(...names.map((n) => h("label", {}, n, h("input", { type: "text", size: 9, name: n, dataset: { field: `groups.${n}` } }))));
    }
  }

  return { element: card, update };
}
