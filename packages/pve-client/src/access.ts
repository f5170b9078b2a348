// The privileges of each routing-table operation (from its declaration), and a preflight that reads the token's effective
// permissions (/access/permissions) and names what is missing, instead of a baffling 403 mid-operation.
import {
  API_OPERATIONS,
  ROUTED_API_OPERATIONS,
  type RoutedApiOperation,
} from "./api/operations.js";
import type { PrivilegeRequirement } from "./api/define.js";
import type { Permissions, PveVersion } from "./schemas/node.js";

export type { PrivilegeRequirement };

export interface OperationAccess {
  readonly label: string;
  readonly requires: readonly PrivilegeRequirement[];
}

/**
 * Routing-table operations (DESIGN.md §1) → privileges, from the declaration of each operation
 * (api/operations.ts), which cites PVE's API permission declarations.
 */
export const OPERATION_PRIVILEGES: { readonly [K in OperationName]: OperationAccess } =
  Object.freeze(
    Object.fromEntries(
      ROUTED_API_OPERATIONS.map((op) => [
        op,
        { label: API_OPERATIONS[op].label, requires: API_OPERATIONS[op].privileges },
      ]),
    ),
  ) as unknown as { readonly [K in OperationName]: OperationAccess };

export type OperationName = RoutedApiOperation;

/** Every privilege some operation needs (first choice of each requirement): the role to grant. */
export function requiredPrivileges(): string[] {
  const all = new Set<string>();
  for (const op of Object.values<OperationAccess>(OPERATION_PRIVILEGES)) {
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
