// The power operations: start, stop, shutdown of a guest (each a task).
import { VMID } from "@felhom/grammar";
import type { GuestKind } from "../schemas/guests.js";
import { defineOperation, taskStarted, vm } from "./define.js";
import { ROW } from "./design-rows.js";
import { guestAction } from "./guest-request.js";

/** Power: start, stop, shutdown (each a task). */
export const POWER_OPERATIONS = {
  start: defineOperation({
    label: "start",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "start" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      guestAction("POST", "/status/start", node, kind, vmid),
    result: taskStarted,
  }),
  stop: defineOperation({
    label: "stop",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "stop" },
    args: { vmid: VMID },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      o: { overruleShutdown?: boolean } = {},
    ) =>
      guestAction("POST", "/status/stop", node, kind, vmid, {
        "overrule-shutdown": o.overruleShutdown,
      }),
    result: taskStarted,
  }),
  shutdown: defineOperation({
    label: "shutdown",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "shutdown" },
    args: { vmid: VMID },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      o: { timeout?: number; forceStop?: boolean } = {},
    ) =>
      guestAction("POST", "/status/shutdown", node, kind, vmid, {
        timeout: o.timeout,
        forceStop: o.forceStop,
      }),
    result: taskStarted,
  }),
} as const;
