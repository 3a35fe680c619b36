// Server-Sent Events read with fetch() and a stream reader rather than EventSource: EventSource
// cannot send an Authorization header, and the token must never go into a URL. Reconnects resume
// with Last-Event-ID, as docs/api.md describes, so no event is seen twice or missed.
import { authorizedFetch } from "./api.js";

/**
 * Streams `path` until the server sends `end` or `stop()` is called. `onEvent({id, type, data})` gets
 * every event in order (data parsed as JSON); `onState(text)` connection changes.
 */
export function streamEvents(path, { onEvent, onState = () => {}, onEnd = () => {} }) {
  let lastId = null;
  let stopped = false;
  let controller = null;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = String(lastId);
        const response = await authorizedFetch(path, { headers, signal: controller.signal });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          const message = body?.error?.message || `HTTP ${response.status}`;
          // 503 too_many_streams says when to come back; any other refusal (an unknown job) is final.
          if (response.status !== 503) { onState("failed: " + message); return; }
          onState("waiting: " + message);
          await new Promise((r) => setTimeout(r, 5000));
          continue;
        }
        onState("live");
        if (await read(response.body.getReader())) {
          onState("ended");
          onEnd();
          return;
        }
      } catch (error) {
        if (stopped) return;
        onState("reconnecting (" + (error.message || error) + ")");
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** True when the stream ended with `end`. */
  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = "";
    let event = { id: null, type: "message", data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (event.data.length > 0) {
            if (event.id !== null) lastId = Number(event.id);
            let data = event.data.join("\n");
            try { data = JSON.parse(data); } catch { /* a non-JSON payload stays text */ }
            onEvent({ id: event.id === null ? null : Number(event.id), type: event.type, data });
            if (event.type === "end") return true;
          }
          event = { id: null, type: "message", data: [] };
          continue;
        }
        if (line.startsWith(":")) continue;  // heartbeat
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "id") event.id = value;
        else if (field === "event") event.type = value;
        else if (field === "data") event.data.push(value);
      }
    }
  }

  connect();
  return { stop() { stopped = true; controller?.abort(); } };
}
