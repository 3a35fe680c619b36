// Every call to thawd's API goes through here: the bearer token (kept in sessionStorage, sent as a
// header, never in a URL), JSON bodies, and errors as the API spells them.

const TOKEN_KEY = "thaw.token";

/** An API refusal: `status`, `code`, `message` and `details` ([{field, message}]) as sent. */
export class APIError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http_" + status;
    this.details = error.details || [];
  }
}

export function token() { return sessionStorage.getItem(TOKEN_KEY); }

let askingForToken = null;

/** Shows the token dialog once (concurrent 401s share it); resolves when a token was entered. */
function askForToken(reason) {
  if (askingForToken) return askingForToken;
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-error").textContent = reason || "";
  input.value = "";
  askingForToken = new Promise((resolve) => {
    const form = document.getElementById("token-form");
    form.onsubmit = (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      dialog.close();
      askingForToken = null;
      resolve();
    };
  });
  if (!dialog.open) dialog.showModal();
  return askingForToken;
}

function headers(extra) {
  const h = new Headers(extra || {});
  const t = token();
  if (t) h.set("Authorization", "Bearer " + t);
  return h;
}

/** fetch() with the token; a 401 asks for the token (again) and retries. */
export async function authorizedFetch(path, init = {}) {
  for (;;) {
    const response = await fetch(path, { ...init, headers: headers(init.headers) });
    if (response.status !== 401) return response;
    const body = await response.json().catch(() => null);
    const wrong = token() !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    await askForToken(wrong ? (body?.error?.message || "invalid token") : "");
  }
}

/** JSON in, JSON out; a non-2xx answer throws `APIError`. */
export async function api(path, { method = "GET", body, raw, contentType } = {}) {
  const init = { method, headers: {} };
  if (raw !== undefined) {
    init.body = raw;
    init.headers["Content-Type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await authorizedFetch(path, init);
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (!response.ok) throw new APIError(response.status, parsed);
  return parsed;
}

/** A file download that carries the token: fetched as a blob, then saved under `filename`. */
export async function download(path, filename) {
  const response = await authorizedFetch(path);
  if (!response.ok) throw new APIError(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
