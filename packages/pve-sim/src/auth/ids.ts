// User and token id syntax (pve-access-control: $user_regex, $realm_regex, $token_full_regex).

const USER = "[^\\s:/]+";
const REALM = "[A-Za-z][A-Za-z0-9.\\-_]+";
export const TOKEN_FULL_RE = new RegExp(`^((${USER})@(${REALM}))!(${REALM})$`);
export const USERID_RE = new RegExp(`^${USER}@${REALM}$`);

/** split_tokenid: "user@realm!name" → ["user@realm", "name"], or undefined. */
export function splitTokenId(id: string): [string, string] | undefined {
  const m = TOKEN_FULL_RE.exec(id);
  return m ? [m[1] ?? "", m[4] ?? ""] : undefined;
}
