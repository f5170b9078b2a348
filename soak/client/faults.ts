// The fault mix of the client soak: every kind the issue names, at probabilities that hit roughly 15 % of
// requests (the report measures the real share), plus forced task outcomes (failures, lock timeouts, warnings).
import type { JsonFaultRule } from "./sim-protocol.js";

const LOCK_FILE = "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout";
const ANY = ["GET", "POST", "PUT", "DELETE"];
const MUTATING = ["POST", "PUT", "DELETE"];
/** Requests that start a task: the POSTs of tasks, the DELETE of a snapshot. */
const TASK_STARTS =
  "^/nodes/[^/]+/(vzdump|lxc|(lxc|qemu)/[0-9]+/(status/(start|stop|shutdown)|snapshot(/[^/]+(/rollback)?)?|config))$";

/** Request-level faults (each hit counts towards the share of faulted requests). */
export const REQUEST_FAULTS: readonly JsonFaultRule[] = [
  {
    name: "reset before the request is read",
    method: ANY,
    probability: 0.012,
    kind: { type: "reset-before-read" },
  },
  {
    name: "reset after the request is read (and applied)",
    method: ANY,
    probability: 0.012,
    kind: { type: "reset-after-read" },
  },
  { name: "HTTP 500", method: ANY, probability: 0.012, kind: { type: "status", status: 500 } },
  { name: "HTTP 503", method: ANY, probability: 0.015, kind: { type: "status", status: 503 } },
  {
    name: "HTTP 501 (status line only)",
    method: ANY,
    probability: 0.005,
    kind: { type: "status", status: 501, statusText: "Method not implemented", bodyless: true },
  },
  {
    name: "HTTP 595 (status line only)",
    method: ANY,
    probability: 0.012,
    kind: { type: "status", status: 595, statusText: "Connection refused", bodyless: true },
  },
  { name: "HTTP 596", method: ANY, probability: 0.008, kind: { type: "status", status: 596 } },
  {
    name: "HTTP 599 (status line only)",
    method: ANY,
    probability: 0.01,
    kind: { type: "status", status: 599, statusText: "Too many redirections", bodyless: true },
  },
  {
    name: "HTTP 500 lock timeout (status line only)",
    method: MUTATING,
    probability: 0.012,
    kind: { type: "status", status: 500, statusText: LOCK_FILE, bodyless: true },
  },
  { name: "data: null", method: ANY, probability: 0.012, kind: { type: "data-null" } },
  {
    name: "latency spike 300 ms",
    method: ANY,
    probability: 0.02,
    kind: { type: "latency", ms: 300 },
  },
  {
    name: "latency spike 1 s",
    method: ANY,
    probability: 0.008,
    kind: { type: "latency", ms: 1000 },
  },
  {
    name: "latency spike beyond the request deadline",
    method: ANY,
    probability: 0.003,
    kind: { type: "latency", ms: 2500 },
  },
];

/** Forced task outcomes (they hit tasks, not requests). */
export const TASK_FAULTS: readonly JsonFaultRule[] = [
  {
    name: "task fails",
    method: MUTATING,
    pathRegex: TASK_STARTS,
    probability: 0.03,
    kind: {
      type: "task-outcome",
      outcome: "error",
      message: "command 'lxc-usernsexec' failed: exit code 1",
    },
  },
  {
    name: "task ends in a lock timeout",
    method: MUTATING,
    pathRegex: TASK_STARTS,
    probability: 0.03,
    kind: { type: "task-outcome", outcome: "error", message: LOCK_FILE },
  },
  {
    name: "task ends with warnings",
    method: MUTATING,
    pathRegex: TASK_STARTS,
    probability: 0.04,
    kind: { type: "task-outcome", outcome: "warnings", warnings: 2 },
  },
];

export const ALL_FAULTS: readonly JsonFaultRule[] = [...REQUEST_FAULTS, ...TASK_FAULTS];
