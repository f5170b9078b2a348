// User and token id syntax as PVE checks it (pve-access-control: $user_regex, $realm_regex,
// $token_full_regex), from the project's one grammar module.
import { PVE_TOKEN_ID, PVE_USER_ID } from "@felhom/grammar";

export const TOKEN_FULL_RE = PVE_TOKEN_ID;
export const USERID_RE = PVE_USER_ID;

/** split_tokenid: "user@realm!name" → ["user@realm", "name"], or undefined. */
export function splitTokenId(id: string): [string, string] | undefined {
  const m = TOKEN_FULL_RE.exec(id);
  return m ? [m[1] ?? "", m[4] ?? ""] : undefined;
}
