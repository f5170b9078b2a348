// The client's own plumbing operations (version, permissions, stopping a task): none is in the routing table.
import { buildRequest } from "../request.js";
import { parsePermissions, parseVersion } from "../schemas/node.js";
import type { Upid } from "../upid.js";
import { defineOperation, parsed } from "./define.js";

/** The client's own plumbing (not in the routing table). */
export const PLUMBING_OPERATIONS = {
  version: defineOperation({
    label: "PVE version",
    mutating: false,
    privileges: [],
    request: () => buildRequest("GET", "/version", {}),
    result: parsed(parseVersion),
  }),
  permissions: defineOperation({
    label: "the token's effective permissions",
    mutating: false,
    privileges: [],
    request: (path?: string) => buildRequest("GET", "/access/permissions", {}, { path }),
    result: parsed(parsePermissions),
  }),
  stopTask: defineOperation({
    label: "stop a task (own tasks)",
    mutating: true,
    privileges: [],
    request: (upid: Upid) =>
      buildRequest("DELETE", "/nodes/{node}/tasks/{upid}", { node: upid.node, upid }),
  }),
} as const;
