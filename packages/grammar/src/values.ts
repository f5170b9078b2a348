// Every value grammar of the project, once. Each cites the PVE schema format it follows (pve-common
// JSONSchema.pm and the modules that register formats; the published schema is apidata.json). Where the
// project is deliberately stricter than PVE, the entry says so, here and nowhere else.
import { int, text } from "./grammar.js";

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const STORAGE = "[A-Za-z][A-Za-z0-9._-]{0,98}[A-Za-z0-9]";

/** pve-vmid: 100..999999999 (PVE's own bounds; ids below 100 are reserved). */
export const VMID = int({ format: "pve-vmid", min: 100, max: 999_999_999, what: "a VMID" });

/** pve-node: a host name label. Stricter than PVE: at most 63 characters (a DNS label; PVE has no bound). */
export const NODE = text({
  format: "pve-node",
  pattern: new RegExp(`^${LABEL}$`),
  minLength: 1,
  maxLength: 63,
  what: "a node name",
});

/**
 * pve-storage-id: a letter, then letters, digits, `-`, `_`, `.`, ending in a letter or digit; PVE matches it
 * case-insensitively. Stricter than PVE: at most 100 characters.
 */
export const STORAGE_ID = text({
  format: "pve-storage-id",
  pattern: new RegExp(`^${STORAGE}$`),
  minLength: 2,
  maxLength: 100,
  what: "a storage id",
});

/**
 * pve-volume-id: `STORAGE:VOLUME`. Stricter than PVE (which takes any non-empty VOLUME): the volume name
 * starts with a letter or digit and holds only letters, digits and `._+/:-` (PBS names carry `:`).
 */
export const VOLUME_ID = text({
  format: "pve-volume-id",
  pattern: new RegExp(`^${STORAGE}:[A-Za-z0-9][A-Za-z0-9._+/:-]{0,250}$`),
  minLength: 4,
  maxLength: 352,
  what: "a volume id STORAGE:VOLUME",
});

/**
 * pve-volume-id of a container template: `STORAGE:vztmpl/FILE.tar.{gz,xz,zst}`. Stricter than PVE: the file
 * name has no slash and no `..` (the root helper hands it to pct).
 */
export const OS_TEMPLATE = text({
  format: "pve-volume-id",
  pattern: new RegExp(
    `^${STORAGE}:vztmpl/[A-Za-z0-9](?:[A-Za-z0-9_+-]|\\.(?!\\.)){0,200}\\.tar\\.(?:gz|xz|zst)$`,
  ),
  minLength: 16,
  maxLength: 320,
  what: "a container template STORAGE:vztmpl/FILE.tar.zst",
});

/**
 * dns-name: dot-separated labels of letters, digits and inner hyphens. Stricter than PVE: each label at most
 * 63 characters, the whole name at most 253 (RFC 1035; PVE's hostname allows 255).
 */
export const HOSTNAME = text({
  format: "dns-name",
  pattern: new RegExp(`^${LABEL}(?:\\.${LABEL})*$`),
  minLength: 1,
  maxLength: 253,
  what: "a DNS host name",
});

/**
 * pve-bridge-id (`[-_.\w\d]+`). Stricter than PVE: only the host's own Linux bridges `vmbrN` (the root
 * helper puts a golden image's NIC on one).
 */
export const BRIDGE = text({
  format: "pve-bridge-id",
  pattern: /^vmbr(?:0|[1-9][0-9]{0,3})$/,
  minLength: 5,
  maxLength: 8,
  what: "a bridge vmbrN",
});

/** pve-configid with PVE's snapname bounds (maxLength 40): a letter, then letters, digits, `_` or `-`. */
export const SNAPSHOT_NAME = text({
  format: "pve-configid",
  pattern: /^[A-Za-z][A-Za-z0-9_-]+$/,
  minLength: 2,
  maxLength: 40,
  what: "a snapshot name (a letter, then letters, digits, _ or -)",
});

/**
 * A SHA-256 certificate fingerprint as `pvenode cert info` prints it and PVE's `fingerprint` parameters
 * declare it: `([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}`.
 */
export const FINGERPRINT = text({
  format: "([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}",
  pattern: /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/,
  minLength: 95,
  maxLength: 95,
  what: "a SHA-256 fingerprint (AB:CD:… 32 hex pairs)",
});

/** pve-access-control's `$user_regex` and `$realm_regex`. */
const USER = "[^\\s:/]+";
const REALM = "[A-Za-z][A-Za-z0-9.\\-_]+";

/**
 * pve-tokenid, `USER@REALM!TOKENID` (AccessControl.pm `$token_full_regex`: REALM and TOKENID follow
 * `$realm_regex`, so two characters at least). Stricter than PVE: `!` and `=` are kept out of USER because
 * they delimit the token and its secret; at most 256 characters. Groups: 1 USER, 2 REALM, 3 TOKENID.
 */
export const TOKEN_ID = text({
  format: "pve-tokenid",
  pattern: /^([^\s:/!=]+)@([A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/,
  minLength: 7,
  maxLength: 256,
  what: "a token id USER@REALM!TOKENID",
});

/** PVE's own pve-tokenid and pve-userid, unchanged (the simulator answers as PVE does). */
export const PVE_TOKEN_ID = new RegExp(`^((${USER})@(${REALM}))!(${REALM})$`);
export const PVE_USER_ID = new RegExp(`^${USER}@${REALM}$`);

/**
 * The keys of an LXC `net[n]` property string and their types (pve-container LXC/Config.pm `$netconf_desc`).
 */
export const LXC_NET_KEYS = Object.freeze({
  name: "string",
  bridge: "string",
  hwaddr: "string",
  ip: "string",
  ip6: "string",
  gw: "string",
  gw6: "string",
  firewall: "boolean",
  link_down: "boolean",
  "host-managed": "boolean",
  mtu: "number",
  rate: "number",
  tag: "number",
  trunks: "string",
  type: "string",
} as const);
export type LxcNetKey = keyof typeof LXC_NET_KEYS;
