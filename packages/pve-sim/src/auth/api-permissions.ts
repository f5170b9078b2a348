// check_api2_permissions: evaluates an operation's `permissions` (user => all, or a check expression with
// perm / and / or) against the request's parameters.
import { permError } from "../errors.js";
import type { Permissions } from "../schema/types.js";
import type { AccessControl } from "./access.js";
import { text } from "../text.js";

/** template_replace: "{vmid}" → the parameter's value (empty when missing). */
export function templatePath(tmpl: string, params: Record<string, unknown>): string {
  return tmpl.replace(/\{([^}]+)\}/g, (_, name: string) => text(params[name]));
}

function exec(
  access: AccessControl,
  authid: string,
  check: readonly unknown[],
  params: Record<string, unknown>,
  noerr: boolean,
): boolean {
  const [test, ...rest] = check;
  if (test === "and") {
    for (const sub of rest) exec(access, authid, sub as unknown[], params, false);
    return true;
  }
  if (test === "or") {
    for (const sub of rest) if (exec(access, authid, sub as unknown[], params, true)) return true;
    if (noerr) return false;
    throw permError();
  }
  if (test === "perm") {
    const [tmpl, privs, ...opts] = rest as [string, string[], ...unknown[]];
    const options: Record<string, unknown> = {};
    for (let i = 0; i + 1 < opts.length; i += 2) options[String(opts[i])] = opts[i + 1];
    const path = templatePath(tmpl, params);
    return options.any
      ? access.checkAny(authid, path, privs, noerr)
      : access.check(authid, path, privs, noerr);
  }
  if (noerr) return false;
  throw permError();
}

/** Throws PVE's 403 when the token may not call the operation. Tokens are never the bare "root@pam". */
export function checkApiPermissions(
  access: AccessControl,
  authid: string,
  permissions: Permissions | null,
  params: Record<string, unknown>,
): void {
  if (authid === "root@pam") return;
  if (!permissions) throw permError("user != root@pam");
  if (permissions.user === "all" || permissions.user === "world") return;
  if (permissions.check) {
    exec(access, authid, permissions.check, params, false);
    return;
  }
  throw permError();
}
