// The IPC vocabulary between the workload and the simulator child (sim-child.ts): options, commands, records.
import type { FaultKind, SimOptions } from "@felhom/pve-sim";

/** A fault rule in JSON form (a RegExp travels as its source). */
export interface JsonFaultRule {
  /** Short name for the report. */
  name: string;
  method?: string | string[];
  pathRegex?: string;
  probability?: number;
  times?: number;
  kind: FaultKind;
}

export interface SimChildOptions {
  sim: Omit<SimOptions, "clock" | "quiet">;
  faults: JsonFaultRule[];
}

export type SimCommand =
  | { cmd: "faults" }
  | { cmd: "clearFaults" }
  | { cmd: "hits" }
  | { cmd: "requests"; from: number }
  | { cmd: "requestCount" }
  | { cmd: "tasks" }
  | { cmd: "drain"; timeoutMs: number }
  | { cmd: "guests" }
  | { cmd: "backups" }
  | { cmd: "reap"; vmid: number }
  | { cmd: "pruneBackups"; keep: number }
  | { cmd: "rss" };

/** One request as the simulator recorded it (path below /api2/json). */
export interface CompactRequest {
  seq: number;
  method: string;
  path: string;
  at: number;
  applied: boolean;
  status?: number;
  upid?: string;
}

export interface CompactTask {
  upid: string;
  status: "running" | "stopped";
  exitstatus?: string;
}

export interface SimGuest {
  vmid: number;
  type: "lxc" | "qemu";
  status: "running" | "stopped";
  lock?: string;
  snapshots: string[];
}

export interface SimBackup {
  volid: string;
  vmid: number;
  type: string;
}

export interface SimReady {
  url: string;
  node: string;
  fingerprint256: string;
  token: { id: string; secret: string; value: string };
}
