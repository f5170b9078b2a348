// The privileges each routing-table operation needs, and a preflight that reads the token's effective
// permissions (/access/permissions) and names what is missing, instead of a baffling 403 mid-operation.
import type { Permissions, PveVersion } from "./schemas/node.js";

/** One requirement: on `path`, at least one of `anyOf`. Paths use `{node}`, `{vmid}`, `{storage}`. */
export interface PrivilegeRequirement {
  readonly path:
    | "/"
    | "/nodes/{node}"
    | "/vms/{vmid}"
    | "/storage/{storage}"
    | "/sdn/zones/localnetwork/{bridge}";
  readonly anyOf: readonly string[];
}

export interface OperationAccess {
  readonly label: string;
  readonly requires: readonly PrivilegeRequirement[];
}

const vm = (...anyOf: string[]): PrivilegeRequirement => ({ path: "/vms/{vmid}", anyOf });
const node = (...anyOf: string[]): PrivilegeRequirement => ({ path: "/nodes/{node}", anyOf });
/** PVE 8+ checks SDN.Use on a guest NIC's bridge (pve-guest-common check_vnet_access), also on restore. */
const bridge = (...anyOf: string[]): PrivilegeRequirement => ({
  path: "/sdn/zones/localnetwork/{bridge}",
  anyOf,
});
const storage = (...anyOf: string[]): PrivilegeRequirement => ({
  path: "/storage/{storage}",
  anyOf,
});

/** Routing-table operations (DESIGN.md §1) → privileges, from PVE's API permission declarations. */
export const OPERATION_PRIVILEGES = {
  nodeStatus: { label: "node status", requires: [node("Sys.Audit")] },
  clusterResources: { label: "cluster resources", requires: [node("Sys.Audit")] },
  rrddata: { label: "metrics (rrddata)", requires: [node("Sys.Audit")] },
  listGuests: { label: "list guests", requires: [vm("VM.Audit")] },
  guestStatus: { label: "guest status", requires: [vm("VM.Audit")] },
  guestConfig: { label: "guest config", requires: [vm("VM.Audit")] },
  storageList: {
    label: "storage list",
    requires: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
  },
  storageContent: {
    label: "storage content",
    requires: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
  },
  tasks: { label: "task status and log (own tasks)", requires: [] },
  restore: {
    label: "restore LXC from archive",
    // VM.Allocate to create the guest, VM.Config.Options for the new hostname, space on the target storage
    // SDN.Use on the bridges of the archive's NICs: checked inside the restore task, after the POST's 200
    requires: [
      vm("VM.Allocate"),
      vm("VM.Config.Options"),
      storage("Datastore.AllocateSpace"),
      bridge("SDN.Use"),
    ],
  },
  backup: {
    label: "vzdump backup",
    requires: [vm("VM.Backup"), storage("Datastore.AllocateSpace")],
  },
  snapshot: { label: "snapshot create/delete", requires: [vm("VM.Snapshot")] },
  rollback: { label: "snapshot rollback", requires: [vm("VM.Snapshot.Rollback", "VM.Snapshot")] },
  setConfig: {
    label: "set config (memory, cores, net, options, mount points)",
    requires: [
      vm("VM.Config.Memory"),
      vm("VM.Config.CPU"),
      vm("VM.Config.Network"),
      vm("VM.Config.Options"),
      vm("VM.Config.Disk"),
      bridge("SDN.Use"),
    ],
  },
  powerMgmt: { label: "start / stop / shutdown", requires: [vm("VM.PowerMgmt")] },
} as const satisfies Record<string, OperationAccess>;

export type OperationName = keyof typeof OPERATION_PRIVILEGES;

/** Every privilege some operation needs (first choice of each requirement): the role to grant. */
export function requiredPrivileges(): string[] {
  const all = new Set<string>();
  for (const op of Object.values(OPERATION_PRIVILEGES) as OperationAccess[]) {
    for (const r of op.requires) if (r.anyOf[0]) all.add(r.anyOf[0]);
  }
  return [...all].sort();
}

export interface AccessScope {
  node: string;
  /** Check guest privileges on this guest; default: `/vms` (all guests). */
  vmid?: number;
  /** Check storage privileges on this storage; default: `/storage` (all storages). */
  storage?: string;
  /** Check SDN.Use on this bridge; default: `/sdn/zones/localnetwork` (every bridge of the local zone). */
  bridge?: string;
}

export interface OperationReport {
  operation: OperationName;
  label: string;
  allowed: boolean;
  /** Unmet requirements: on `path`, none of `anyOf` is granted. */
  missing: { path: string; anyOf: readonly string[] }[];
}

export interface AccessReport {
  version: PveVersion;
  allAllowed: boolean;
  operations: OperationReport[];
}

function concretePath(template: PrivilegeRequirement["path"], scope: AccessScope): string {
  if (template === "/nodes/{node}") return `/nodes/${scope.node}`;
  if (template === "/vms/{vmid}") return scope.vmid === undefined ? "/vms" : `/vms/${scope.vmid}`;
  if (template === "/storage/{storage}")
    return scope.storage === undefined ? "/storage" : `/storage/${scope.storage}`;
  if (template === "/sdn/zones/localnetwork/{bridge}")
    return scope.bridge === undefined
      ? "/sdn/zones/localnetwork"
      : `/sdn/zones/localnetwork/${scope.bridge}`;
  return "/";
}

/**
 * Whether `priv` is granted on `path` given PVE's effective-permission map: the path's own entry decides;
 * otherwise the nearest listed ancestor, where only propagated privileges count.
 */
export function hasPrivilege(perms: Permissions, path: string, priv: string): boolean {
  const own = perms[path];
  if (own) return own[priv] !== undefined;
  let p = path;
  while (p !== "/") {
    p = p.slice(0, p.lastIndexOf("/")) || "/";
    const entry = perms[p];
    if (entry) return entry[priv] === true;
  }
  return false;
}

export function evaluateAccess(
  version: PveVersion,
  perms: Permissions,
  scope: AccessScope,
): AccessReport {
  const operations: OperationReport[] = [];
  for (const [operation, op] of Object.entries(OPERATION_PRIVILEGES) as [
    OperationName,
    OperationAccess,
  ][]) {
    const missing: OperationReport["missing"] = [];
    for (const r of op.requires) {
      const path = concretePath(r.path, scope);
      if (!r.anyOf.some((priv) => hasPrivilege(perms, path, priv)))
        missing.push({ path, anyOf: r.anyOf });
    }
    operations.push({ operation, label: op.label, allowed: missing.length === 0, missing });
  }
  return { version, allAllowed: operations.every((o) => o.allowed), operations };
}
