// The read operations: node, resources, metrics, guests, storage and snapshot lists.
import { NODE, STORAGE_ID, VMID } from "@felhom/grammar";
import { buildRequest, validateNode, validateStorage, validateVmid } from "../request.js";
import {
  type GuestKind,
  parseLxcList,
  parseLxcStatus,
  parseQemuList,
  parseQemuStatus,
} from "../schemas/guests.js";
import {
  parseLxcConfig,
  parseQemuConfig,
  type LxcConfig,
  type QemuConfig,
} from "../schemas/guest-config.js";
import { parseNodeStatus, parseRrd } from "../schemas/node.js";
import { parseClusterResources } from "../schemas/resources.js";
import { parseSnapshots } from "../schemas/snapshots.js";
import { parseStorageContent, parseStorageList } from "../schemas/storage.js";
import { check } from "../schemas/validate.js";
import { defineOperation, onNode, parsed, storage, vm, type ResultCheck } from "./define.js";
import type { Timeframe } from "./options.js";
import { ROW } from "./design-rows.js";
import { guestPath, kindSegment, guest } from "./guest-request.js";

/** The answer of a config read, typed by the kind in the request's path. */
const guestConfigResult: ResultCheck<LxcConfig | QemuConfig> = (data, req) =>
  req.template.includes("/lxc/")
    ? check(parseLxcConfig, data, req)
    : check(parseQemuConfig, data, req);
/** Reads: GET only, each answer checked. */
export const READ_OPERATIONS = {
  nodeStatus: defineOperation({
    label: "node status",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "status" },
    args: { node: NODE },
    request: (node: string) =>
      buildRequest("GET", "/nodes/{node}/status", { node: validateNode(node) }),
    result: parsed(parseNodeStatus),
  }),
  clusterResources: defineOperation({
    label: "cluster resources",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "resources" },
    request: (type?: "vm" | "storage" | "node" | "sdn") =>
      buildRequest("GET", "/cluster/resources", {}, { type }),
    result: parsed(parseClusterResources),
  }),
  rrddata: defineOperation({
    label: "metrics (rrddata)",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "metrics" },
    request: (node: string, timeframe: Timeframe, cf?: "AVERAGE" | "MAX") =>
      buildRequest("GET", "/nodes/{node}/rrddata", { node: validateNode(node) }, { timeframe, cf }),
    result: parsed(parseRrd),
  }),
  /** Both lists of a node: one request per kind (`/nodes/{node}/lxc`, `/nodes/{node}/qemu`). */
  listGuests: defineOperation({
    label: "list guests",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guests" },
    request: (node: string, kind: GuestKind) =>
      buildRequest("GET", `/nodes/{node}/${kindSegment(kind)}`, { node: validateNode(node) }),
    result: (data, req) =>
      req.template.endsWith("/lxc")
        ? check(parseLxcList, data, req)
        : check(parseQemuList, data, req),
  }),
  guestStatus: defineOperation({
    label: "guest status",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guest" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/status/current`, guest(node, vmid)),
    result: (data, req) =>
      req.template.includes("/lxc/")
        ? { ...check(parseLxcStatus, data, req), kind: "lxc" as const }
        : { ...check(parseQemuStatus, data, req), kind: "qemu" as const },
  }),
  guestConfig: defineOperation({
    label: "guest config",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guest" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/config`, guest(node, vmid)),
    result: guestConfigResult,
  }),
  storageList: defineOperation({
    label: "storage list",
    mutating: false,
    privileges: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
    route: { row: ROW.storage, cli: "storage" },
    request: (node: string) =>
      buildRequest("GET", "/nodes/{node}/storage", { node: validateNode(node) }),
    result: parsed(parseStorageList),
  }),
  storageContent: defineOperation({
    label: "storage content",
    mutating: false,
    privileges: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
    route: { row: ROW.storage, cli: "content" },
    args: { storage: STORAGE_ID, vmid: VMID },
    request: (node: string, id: string, filter: { content?: string; vmid?: number } = {}) =>
      buildRequest(
        "GET",
        "/nodes/{node}/storage/{storage}/content",
        { node: validateNode(node), storage: validateStorage(id) },
        {
          content: filter.content,
          vmid: filter.vmid === undefined ? undefined : validateVmid(filter.vmid),
        },
      ),
    result: parsed(parseStorageContent),
  }),
  snapshots: defineOperation({
    label: "snapshot list",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.snapshots, cli: "snapshots" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/snapshot`, guest(node, vmid)),
    result: parsed(parseSnapshots),
  }),
} as const;
