// Named formats of the PVE schema (pve-common JSONSchema.pm and the modules that register more), with PVE's
// own error texts. Formats the simulator does not know are accepted unchecked (listed in the README).
import { isIPv4, isIPv6 } from "node:net";
import { inRange, VMID } from "@felhom/grammar";

/** Returns undefined when valid, else PVE's die message (ending in a newline). */
type FormatCheck = (value: string) => string | undefined;

const NODE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
const DNS_LABEL = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";
const DNS_RE = new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`);
const EMAIL_USER = "[\\w+\\-~]+(\\.[\\w+\\-~]+)*";
const EMAIL_RE = new RegExp(`^${EMAIL_USER}@[a-zA-Z0-9\\-]+(\\.[a-zA-Z0-9\\-]+)*$`);
const EMAIL_USER_RE = new RegExp(`^${EMAIL_USER}$`);
const VOLID_RE = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i;
const CONTENT_TYPES = new Set([
  "images",
  "rootdir",
  "vztmpl",
  "iso",
  "backup",
  "snippets",
  "import",
]);

function cidr(value: string, v6: boolean): boolean {
  const m = /^(.+)\/(\d+)$/.exec(value);
  if (!m) return false;
  const bits = Number(m[2]);
  return (v6 ? isIPv6(m[1] ?? "") : isIPv4(m[1] ?? "")) && bits > 7 && bits <= (v6 ? 128 : 32);
}

function storageId(value: string): string | undefined {
  if (value.length < 2) return `storage ID '${value}' cannot be shorter than 2 characters\n`;
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(value))
    return `storage ID '${value}' contains illegal characters\n`;
  return undefined;
}

function startupOrder(value: string): boolean {
  if (!value) return false;
  return value
    .split(",")
    .filter((p) => !/^\s*$/.test(p))
    .every((p) => /^(order=)?\d+$/.test(p) || /^up=\d+$/.test(p) || /^down=\d+$/.test(p));
}

function lxcMpString(value: string): string | undefined {
  if (/\/\.\.?\//.test(value) || /\/\.\.?$/.test(value) || /^\.\.?\//.test(value))
    return `${value} contains illegal character sequences\n`;
  return undefined;
}

const when =
  (ok: (v: string) => boolean, msg: (v: string) => string): FormatCheck =>
  (v) =>
    ok(v) ? undefined : msg(v);

const FORMATS: Record<string, FormatCheck> = {
  "pve-node": when(
    (v) => NODE_RE.test(v),
    () => "value does not look like a valid node name\n",
  ),
  "pve-vmid": when(
    (v) => /^[1-9][0-9]{2,8}$/.test(v) && inRange(VMID, Number(v)),
    () => "value does not look like a valid VM ID\n",
  ),
  "pve-storage-id": storageId,
  "pve-configid": when(
    (v) => /^[a-z][a-z0-9_-]+$/i.test(v),
    (v) => `invalid configuration ID '${v}'\n`,
  ),
  "pve-bridge-id": when(
    (v) => /^[-_.\w\d]+$/.test(v),
    (v) => `invalid bridge ID '${v}'\n`,
  ),
  "mac-addr": when(
    (v) => /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v),
    () => "value does not look like a valid unicast MAC address\n",
  ),
  ipv4: when(isIPv4, () => "value does not look like a valid IPv4 address\n"),
  ipv6: when(isIPv6, () => "value does not look like a valid IPv6 address\n"),
  CIDR: when(
    (v) => cidr(v, false) || cidr(v, true),
    () => "value does not look like a valid CIDR network\n",
  ),
  "pve-ipv4-config": when(
    (v) => /^(?:dhcp|manual)$/.test(v) || cidr(v, false),
    () => "value does not look like a valid ipv4 network configuration\n",
  ),
  "pve-ipv6-config": when(
    (v) => /^(?:auto|dhcp|manual)$/.test(v) || cidr(v, true),
    () => "value does not look like a valid ipv6 network configuration\n",
  ),
  "dns-name": when(
    (v) => DNS_RE.test(v),
    () => "value does not look like a valid DNS name\n",
  ),
  address: when(
    (v) => isIPv4(v) || isIPv6(v) || DNS_RE.test(v),
    (v) => `value does not look like a valid address: ${v}\n`,
  ),
  "lxc-ip-with-ll-iface": when(
    (v) => {
      const [ip, iface] = v.split("%");
      return (isIPv4(ip ?? "") || isIPv6(ip ?? "")) && (iface === undefined || iface.length > 0);
    },
    () => "value does not look like a valid IP address\n",
  ),
  "disk-size": when(
    (v) => /^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.test(v),
    (v) => `value does not look like a valid disk size: ${v}\n`,
  ),
  "pve-startup-order": when(startupOrder, () => "unable to parse startup options\n"),
  "pve-tag": when(
    (v) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v),
    () => "invalid characters in tag\n",
  ),
  "pve-task-status-type": when(
    (v) => /^(ok|error|warning|unknown)$/i.test(v),
    (v) => `invalid status '${v}'\n`,
  ),
  urlencoded: when(
    (v) => /^[-%a-zA-Z0-9_.!~*'()]*$/.test(v),
    (v) => `invalid urlencoded string: ${v}\n`,
  ),
  "email-or-username": when(
    (v) => EMAIL_RE.test(v) || EMAIL_USER_RE.test(v),
    () => "value does not look like a valid email address or user name\n",
  ),
  "pve-poolid": when(
    (v) => /^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/.test(v),
    (v) => `pool name '${v}' contains illegal characters\n`,
  ),
  "pve-storage-content": when(
    (v) => CONTENT_TYPES.has(v),
    (v) => `invalid content type '${v}'\n`,
  ),
  "pve-volume-id": when(
    (v) => VOLID_RE.test(v),
    (v) => `unable to parse volume ID '${v}'\n`,
  ),
  "pve-volume-id-or-qm-path": when(
    (v) => VOLID_RE.test(v) || v.startsWith("/") || v === "none" || v === "cdrom",
    (v) => `unable to parse volume ID '${v}'\n`,
  ),
  "pve-volume-id-or-absolute-path": when(
    (v) => VOLID_RE.test(v) || v.startsWith("/"),
    (v) => `unable to parse volume ID '${v}'\n`,
  ),
  "pve-lxc-mp-string": lxcMpString,
  "pve-cpuset": when(
    (v) => /^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$/.test(v),
    (v) => `invalid cpuset '${v}'\n`,
  ),
};

/** PVE's split_list: NUL-separated if a NUL is present, else on commas, semicolons and whitespace. */
export function splitList(text: string): string[] {
  if (text.includes("\0")) return text.split("\0");
  return text
    .replace(/[,;]/g, " ")
    .replace(/^\s+/, "")
    .split(/\s+/)
    .filter((s) => s.length > 0);
}

/** Checks `value` against a named format, handling the `-list` and `-opt` suffixes as check_format does. */
export function checkNamedFormat(format: string, value: string): string | undefined {
  const direct = FORMATS[format];
  if (direct) return direct(value);
  const m = /^(.*?)-(list|opt)$/.exec(format);
  const base = m?.[1] ? FORMATS[m[1]] : undefined;
  if (!m || !base) return undefined; // a format the simulator does not check
  if (m[2] === "opt") return value ? base(value) : undefined;
  for (const item of splitList(value)) {
    const err = base(item);
    if (err) return err;
  }
  return undefined;
}

/** The named formats this simulator checks (the README lists the rest as unchecked). */
export const CHECKED_FORMATS: readonly string[] = Object.keys(FORMATS);
