// The helper's audit trail, made to survive floods: a line that repeats one already written in the current window
// (same method, decision, code, peer uid/gid and validated params; an unknown method's name does not count) is
// only counted, and one summary line per such key (count, first and last time) follows when the window ends. A
// line for a mutating method that was not denied (it ran, or tried to) is always written at once, never coalesced.
import { HelperErrorCode } from "./errors.js";

const MUTATING = new Set(["golden.createContainer", "usb.mount", "usb.unmount"]);
const MAX_KEYS = 1024; // beyond this many distinct keys in one window, repeats are counted under one key

export interface AuditLine {
  readonly time: string;
  readonly peer: { readonly uid: number; readonly gid: number } | null;
  readonly method: string;
  readonly decision: string;
  readonly code?: number | undefined;
  readonly params?: unknown;
  readonly [field: string]: unknown;
}

export interface AuditLog {
  write(line: AuditLine): void;
  /** Writes the summaries of the current window and starts a new one. */
  flush(): void;
}

/** How many audited events one written line stands for: a summary its `repeated` count, any other line one. */
export function eventsIn(line: { readonly repeated?: unknown }): number {
  return typeof line.repeated === "number" ? line.repeated : 1;
}

/** An audit log writing JSON lines to `sink`, coalescing repeats within windows of `windowMs`. */
export function coalescingAudit(sink: (line: string) => void, windowMs: number): AuditLog {
  type Seen = { line: AuditLine; count: number; first?: string; last?: string };
  const seen = new Map<string, Seen>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    for (const { line, count, first, last } of seen.values())
      if (count > 0) sink(JSON.stringify({ ...line, time: last, repeated: count, first, last }));
    seen.clear();
  };
  return {
    flush,
    write(line) {
      if (MUTATING.has(line.method) && line.decision !== "denied")
        return sink(JSON.stringify(line));
      const unknown = line.code === HelperErrorCode.METHOD_NOT_FOUND;
      const { uid, gid } = line.peer ?? {};
      const what = [unknown ? "" : line.method, line.decision, line.code, uid, gid, line.params];
      const k = seen.size < MAX_KEYS ? JSON.stringify(what) : "(more)";
      const entry = seen.get(k);
      if (entry === undefined) {
        seen.set(k, { line, count: 0 });
        if (k !== "(more)") sink(JSON.stringify(line));
        else
          seen.set(k, {
            line: { ...line, method: "(more)" },
            count: 1,
            first: line.time,
            last: line.time,
          });
      } else {
        entry.count++;
        entry.first ??= line.time;
        entry.last = line.time;
      }
      timer ??= setTimeout(flush, windowMs).unref();
    },
  };
}
