// PVE's property strings (`name=eth0,bridge=vmbr0,ip=dhcp`, `local-lvm:vm-100-disk-1,mp=/data,backup=0`):
// parsed into key/value maps, with the default key for a leading bare value, and formatted back for requests.
import { PveArgumentError } from "../errors.js";

/**
 * Splits a property string into its keys and values. A part without `=` is the value of `defaultKey`
 * (e.g. the volume of a mount point). Values may be double-quoted to contain commas.
 */
export function parsePropertyString(input: string, defaultKey?: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < input.length) {
    let part = "";
    let quoted = false;
    for (; i < input.length; i++) {
      const c = input[i];
      if (c === '"') quoted = !quoted;
      else if (c === "\\" && quoted && i + 1 < input.length) part += input[++i];
      else if (c === "," && !quoted) break;
      else part += c;
    }
    i++; // skip the comma
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (defaultKey !== undefined && out[defaultKey] === undefined) out[defaultKey] = part;
      else out[part] = "";
    } else {
      out[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return out;
}

/** A property-string value: booleans as 0/1, undefined left out. */
export type PropertyValue = string | number | boolean | undefined;

const SAFE_VALUE = /^[^,"=\s\\]*$/;
const SAFE_KEY = /^[a-z][a-z0-9_-]*$/i;

/**
 * Formats key/values as a property string. `defaultKey`'s value is written first and bare. Refuses values
 * that would change the string's structure (a comma, quote or `=` injected into another key).
 */
export function formatPropertyString(
  values: Readonly<Record<string, PropertyValue>>,
  defaultKey?: string,
): string {
  const parts: string[] = [];
  const put = (key: string, v: PropertyValue, bare: boolean): void => {
    if (v === undefined) return;
    const s = typeof v === "boolean" ? (v ? "1" : "0") : String(v);
    if (!SAFE_KEY.test(key)) throw new PveArgumentError(key, "not a property key");
    const valueOk = bare ? /^[^,"\s\\]+$/.test(s) : SAFE_VALUE.test(s);
    if (!valueOk)
      throw new PveArgumentError(
        key,
        `value ${JSON.stringify(s)} cannot be written into a property string`,
      );
    parts.push(bare ? s : `${key}=${s}`);
  };
  if (defaultKey !== undefined) put(defaultKey, values[defaultKey], true);
  for (const [k, v] of Object.entries(values)) if (k !== defaultKey) put(k, v, false);
  return parts.join(",");
}

/** Keys of the form `net0`, `mp12`: the prefix and index, or undefined. */
export function indexedKey(key: string): { prefix: string; index: number } | undefined {
  const m = /^([a-z]+)(\d+)$/.exec(key);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { prefix: m[1], index: Number(m[2]) };
}
