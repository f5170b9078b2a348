// Property strings (`name=eth0,bridge=vmbr0,ip=dhcp`): parsing with PVE's rules and error texts, and printing.
import type { JsonSchema } from "./types.js";

/** A parse failure: either a plain die message, or "format error" with per-key errors (check_object). */
export class PropertyStringError extends Error {
  readonly code = "SIM_PROPERTY_STRING" as const;
  readonly errors: Record<string, string> | undefined;

  constructor(message: string, errors?: Record<string, string>) {
    super(message);
    this.errors = errors;
    this.name = "PropertyStringError";
  }

  /** The text PVE's exception stringification produces, used after "invalid format - ". */
  perlText(): string {
    let text = this.message;
    for (const key of Object.keys(this.errors ?? {}).sort())
      text += `${key}: ${this.errors?.[key]}\n`;
    return text;
  }
}

/** True for a property-string parse failure, matched by its stable `code` (not by class). */
export function isPropertyStringError(err: unknown): err is PropertyStringError {
  return err instanceof Error && (err as { code?: unknown }).code === "SIM_PROPERTY_STRING";
}

/** parse_boolean: 1/on/yes/true and 0/off/no/false, case-insensitive. */
export function parseBoolean(value: string): 0 | 1 | undefined {
  if (/^(1|on|yes|true)$/i.test(value)) return 1;
  if (/^(0|off|no|false)$/i.test(value)) return 0;
  return undefined;
}

/** Splits a property string into its raw key/value map (parse_property_string before check_object). */
export function splitPropertyString(
  format: Record<string, JsonSchema>,
  data: string,
): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKeyUsed: string | undefined;
  for (const part of data.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      let key = kv[1] ?? "";
      let value = kv[2] ?? "";
      if (res[key] !== undefined)
        throw new PropertyStringError(`duplicate key in comma-separated list property: ${key}\n`);
      let schema = format[key];
      if (schema?.alias) {
        key = schema.alias;
        schema = format[key];
        if (res[key] !== undefined)
          throw new PropertyStringError(`key '${key}' is already defined (via alias)\n`);
      }
      if (!schema)
        throw new PropertyStringError(`invalid key in comma-separated list property: ${key}\n`);
      if (schema.type === "boolean") value = String(parseBoolean(value) ?? value);
      res[key] = value;
    } else if (!part.includes("=")) {
      if (defaultKeyUsed)
        throw new PropertyStringError(
          `duplicate key in comma-separated list property: ${defaultKeyUsed}\n`,
        );
      const key = Object.keys(format).find((k) => format[k]?.default_key);
      if (!key)
        throw new PropertyStringError(
          "value without key, but schema does not define a default key\n",
        );
      if (res[key] !== undefined)
        throw new PropertyStringError(`duplicate key in comma-separated list property: ${key}\n`);
      defaultKeyUsed = key;
      res[key] = format[key]?.type === "boolean" ? String(parseBoolean(part) ?? part) : part;
    } else {
      throw new PropertyStringError("missing key in comma-separated list property\n");
    }
  }
  return res;
}

/** Lenient parse for the simulator's own stored values (they were validated on the way in). */
export function parsePropertyString(data: string, defaultKey?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of data.split(",")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (defaultKey) out[defaultKey] = part;
    } else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Prints a property string: the default key bare and first, then `first` keys, then the rest sorted. */
export function printPropertyString(
  data: Record<string, string | number | undefined>,
  opts: { defaultKey?: string; first?: readonly string[] } = {},
): string {
  const parts: string[] = [];
  const done = new Set<string>();
  if (opts.defaultKey && data[opts.defaultKey] !== undefined) {
    parts.push(String(data[opts.defaultKey]));
    done.add(opts.defaultKey);
  }
  for (const key of [...(opts.first ?? []), ...Object.keys(data).sort()]) {
    const value = data[key];
    if (done.has(key) || value === undefined) continue;
    done.add(key);
    parts.push(`${key}=${value}`);
  }
  return parts.join(",");
}
