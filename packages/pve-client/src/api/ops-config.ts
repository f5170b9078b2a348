// The config change: LXC answers it applied (PUT), QEMU as a task (POST); one operation for both kinds.
import {
  lxcChangeParams,
  qemuChangeParams,
  type LxcConfigChanges,
  type QemuConfigChanges,
} from "../config-changes.js";
import { HOSTNAME, VMID } from "@felhom/grammar";
import { buildRequest, type PveRequest } from "../request.js";
import type { GuestKind } from "../schemas/guests.js";
import type { Upid } from "../upid.js";
import { applied, bridge, defineOperation, taskStarted, vm } from "./define.js";
import { ROW } from "./design-rows.js";
import { kindSegment, guest } from "./guest-request.js";

/** The config change request, typed by the guest's kind (LXC: PUT, applied; QEMU: POST, a task). */
const setConfigRequest: {
  (node: string, kind: "lxc", vmid: number, changes: LxcConfigChanges): PveRequest;
  (node: string, kind: "qemu", vmid: number, changes: QemuConfigChanges): PveRequest;
  (
    node: string,
    kind: GuestKind,
    vmid: number,
    changes: LxcConfigChanges | QemuConfigChanges,
  ): PveRequest;
} = (
  node: string,
  kind: GuestKind,
  vmid: number,
  changes: LxcConfigChanges | QemuConfigChanges,
): PveRequest => {
  const g = guest(node, vmid);
  if (kindSegment(kind) === "lxc")
    return buildRequest(
      "PUT",
      "/nodes/{node}/lxc/{vmid}/config",
      g,
      lxcChangeParams(changes as LxcConfigChanges),
      g,
    );
  return buildRequest(
    "POST",
    "/nodes/{node}/qemu/{vmid}/config",
    g,
    qemuChangeParams(changes as QemuConfigChanges),
    g,
  );
};
/** The config change (LXC: applied; QEMU: a task). */
export const CONFIG_OPERATIONS = {
  /** LXC: PUT, applied synchronously (null). QEMU: POST, a `qmconfig` task (its UPID). */
  setConfig: defineOperation({
    label: "set config (memory, cores, net, options, mount points)",
    mutating: true,
    privileges: [
      vm("VM.Config.Memory"),
      vm("VM.Config.CPU"),
      vm("VM.Config.Network"),
      vm("VM.Config.Options"),
      vm("VM.Config.Disk"),
      bridge("SDN.Use"),
    ],
    route: { row: ROW.config, cli: "config" },
    args: { vmid: VMID, hostname: HOSTNAME, name: HOSTNAME },
    request: setConfigRequest,
    result: (data, req): Upid | void =>
      req.method === "POST" ? taskStarted(data, req) : applied(data, req),
  }),
} as const;
