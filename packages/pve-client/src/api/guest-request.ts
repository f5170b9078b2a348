// The request pieces every guest-level operation shares: the guest path by kind, its checked node and vmid.
import { PveArgumentError } from "../errors.js";
import { buildRequest, validateNode, validateVmid, type PveRequest } from "../request.js";
import type { GuestKind } from "../schemas/guests.js";

/** The path of a guest by kind, with {node} and {vmid} left for buildRequest. */
export const guestPath = (kind: GuestKind) => `/nodes/{node}/${kindSegment(kind)}/{vmid}`;

/** The path segment of a guest kind; anything else is the caller's mistake. */
export function kindSegment(kind: GuestKind): "lxc" | "qemu" {
  if (kind !== "lxc" && kind !== "qemu") throw new PveArgumentError("kind", "expected lxc or qemu");
  return kind;
}

/** The checked node and vmid of a guest path. */
export function guest(node: string, vmid: number) {
  return { node: validateNode(node), vmid: validateVmid(vmid) };
}

/** A guest-level POST/DELETE with no path value beyond the guest (start, stop, shutdown). */
export function guestAction(
  method: "POST" | "DELETE",
  suffix: string,
  node: string,
  kind: GuestKind,
  vmid: number,
  params: Record<string, string | number | boolean | undefined> = {},
): PveRequest {
  const g = guest(node, vmid);
  return buildRequest(method, `${guestPath(kind)}${suffix}`, g, params, g);
}
