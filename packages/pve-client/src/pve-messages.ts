// Reads meaning out of PVE's error texts (lock contention, config locks, permission checks), shared by the
// HTTP error mapping and the task outcome mapping so both produce the same typed errors.
import {
  PveLockError,
  PvePermissionError,
  type HttpContext,
  type PveError,
  type TaskContext,
} from "./errors.js";

// pve-common PVE::Tools::lock_file_full: "can't lock file '<path>' - got timeout"
const LOCK_TIMEOUT = /can't lock file '([^']*)' - got timeout/;
// PVE::AbstractConfig::check_lock: "<VM|CT> is locked (<lock>)"
const LOCKED = /\b(?:VM|CT)(?: (\d+))? is locked(?: \(([^)]*)\))?/;
// PVE::RPCEnvironment: "Permission check failed (<path>, <priv>[|<priv>…])" or "(<reason>)". Raised inside
// a worker, PVE::Exception stringifies with its code first: "403 Permission check failed (…)".
const PERMISSION = /^(?:403 )?Permission check failed(?: \(([^)]*)\))?/;
const VMID_IN_LOCKFILE = /(?:lock-|pve-config-)(\d+)\.(?:conf|lock)/;

export interface ParsedPermission {
  aclPath: string | undefined;
  privileges: string[];
}

/** Parses PVE's permission-check text; undefined when the text is something else. */
export function parsePermissionMessage(text: string): ParsedPermission | undefined {
  const m = PERMISSION.exec(text.trim());
  if (!m) return undefined;
  const inner = m[1];
  if (inner === undefined) return { aclPath: undefined, privileges: [] };
  const comma = inner.indexOf(",");
  if (comma < 0 || !inner.startsWith("/")) return { aclPath: undefined, privileges: [] };
  const privileges = inner
    .slice(comma + 1)
    .split(/[|,]/)
    .map((p) => p.trim())
    .filter((p) => /^[A-Za-z]+(?:\.[A-Za-z]+)*$/.test(p));
  return { aclPath: inner.slice(0, comma).trim(), privileges };
}

/**
 * Turns a lock or permission text into its typed error, or returns undefined so the caller uses its generic
 * error. `context` says whether the text came from an HTTP answer or a task's exitstatus.
 */
export function classifyPveMessage(
  text: string,
  message: string,
  context: { http: HttpContext } | { task: TaskContext },
): PveError | undefined {
  const lockTimeout = LOCK_TIMEOUT.exec(text);
  if (lockTimeout) {
    const lockFile = lockTimeout[1];
    const vm = lockFile ? VMID_IN_LOCKFILE.exec(lockFile) : null;
    return new PveLockError("PVE_LOCK_TIMEOUT", message, {
      lockFile,
      vmid: vm?.[1] ? Number(vm[1]) : undefined,
      ...context,
    });
  }
  const locked = LOCKED.exec(text);
  if (locked) {
    return new PveLockError("PVE_LOCKED", message, {
      lock: locked[2] || undefined,
      vmid: locked[1] ? Number(locked[1]) : undefined,
      ...context,
    });
  }
  const perm = parsePermissionMessage(text);
  if (perm) return new PvePermissionError(message, { ...perm, ...context });
  return undefined;
}
