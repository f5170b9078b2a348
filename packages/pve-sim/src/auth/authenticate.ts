// pveproxy's authentication step for API tokens: find the credential in the headers, verify it, or fail with
// "No ticket" / "Authentication failed!" (401, no body).
import type { IncomingHttpHeaders } from "node:http";
import type { AccessControl } from "./access.js";

/** extract_auth_value: "KEY=value" or "KEY value" after start or whitespace, up to ';', URI-unescaped. */
export function extractAuthValue(header: string | undefined, key: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`(?:^|\\s)${key}(?:=| )([^;]*)`).exec(header);
  const value = m?.[1];
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export type AuthOutcome = { ok: true; authid: string } | { ok: false; reason: string };

export function authenticate(
  access: AccessControl,
  headers: IncomingHttpHeaders,
  nowSec: number,
): AuthOutcome {
  const authorization = headers.authorization;
  const ticket =
    extractAuthValue(headers.cookie, "PVEAuthCookie") ??
    extractAuthValue(authorization, "PVEAuthCookie");
  // The simulator hands out no tickets, so any ticket fails verification, as a forged one would.
  if (ticket) return { ok: false, reason: "Authentication failed!" };
  const token = extractAuthValue(authorization, "PVEAPIToken");
  if (!token) return { ok: false, reason: "No ticket" };
  const authid = access.verifyToken(token, nowSec);
  return authid ? { ok: true, authid } : { ok: false, reason: "Authentication failed!" };
}
