// One API call as data (method, path template, encoded path, wire parameters), built before anything is
// sent: the transport sends it, the contract test checks it against PVE's schema, the logs name its template.
import {
  inRange,
  matches,
  NODE,
  SNAPSHOT_NAME,
  STORAGE_ID,
  VMID,
  VOLUME_ID,
  type IntGrammar,
  type TextGrammar,
} from "@felhom/grammar";
import { PveArgumentError } from "./errors.js";
import { Upid } from "./upid.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** A parameter value before encoding. Booleans become 0/1, arrays repeat the key, undefined is left out. */
export type ParamValue = string | number | boolean | readonly string[] | undefined;

/** What is sent: every value is already a PVE wire string (or a list of them for array parameters). */
export type WireParams = Readonly<Record<string, string | readonly string[]>>;

export interface PveRequest {
  readonly method: HttpMethod;
  /** Schema path, e.g. `/nodes/{node}/lxc/{vmid}/status/start`. */
  readonly template: string;
  /** The concrete path below /api2/json, each segment percent-encoded. */
  readonly path: string;
  readonly params: WireParams;
  /** The guest a mutating call changes, for optional per-guest serialisation. */
  readonly guest: { readonly node: string; readonly vmid: number } | undefined;
}

export type PathValue = string | number | Upid;

/** True for methods that may change state on PVE (never re-sent once they may have arrived). */
export function isMutating(method: HttpMethod): boolean {
  return method !== "GET";
}

/** Encodes one parameter value the way PVE's own clients do (booleans as 0/1). */
export function encodeParam(
  name: string,
  value: Exclude<ParamValue, undefined>,
): string | string[] {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new PveArgumentError(name, "must be a finite number");
    return String(value);
  }
  if (typeof value === "string") return value;
  return value.map(String);
}

/** Fills a path template; every value is percent-encoded as one segment. */
export function fillPath(template: string, values: Readonly<Record<string, PathValue>>): string {
  return template.replace(/\{([a-z0-9_-]+)\}/gi, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new PveArgumentError(key, "missing path parameter");
    const s = v instanceof Upid ? v.raw : String(v);
    if (s === "" || s === "." || s === "..") throw new PveArgumentError(key, "empty path segment");
    return encodeURIComponent(s);
  });
}

export function buildRequest(
  method: HttpMethod,
  template: string,
  pathValues: Readonly<Record<string, PathValue>>,
  params?: Readonly<Record<string, ParamValue>>,
  guest?: { node: string; vmid: number },
): PveRequest {
  const wire: Record<string, string | readonly string[]> = {};
  if (params) {
    for (const [k, v] of Object.entries(params)) if (v !== undefined) wire[k] = encodeParam(k, v);
  }
  return { method, template, path: fillPath(template, pathValues), params: wire, guest };
}

/** `a=1&b=x%20y` with repeated keys for lists (PVE joins them with NUL); `+`-free percent-encoding. */
export function formEncode(params: WireParams): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    const key = encodeURIComponent(k);
    if (typeof v === "string") parts.push(`${key}=${encodeURIComponent(v)}`);
    else for (const item of v) parts.push(`${key}=${encodeURIComponent(item)}`);
  }
  return parts.join("&");
}

/** Checks a string argument against its grammar (each operation in api/ops-*.ts names its grammars). */
export function checkText(name: string, g: TextGrammar, v: string): string {
  if (!matches(g, v)) throw new PveArgumentError(name, `not ${g.what}: ${JSON.stringify(v)}`);
  return v;
}

/** Checks an integer argument against its grammar. */
export function checkInt(name: string, g: IntGrammar, v: number): number {
  if (inRange(g, v)) return v;
  const got = String(v);
  throw new PveArgumentError(name, `expected an integer ${g.min}..${g.max}, got ${got}`);
}

export const validateNode = (node: string): string => checkText("node", NODE, node);
export const validateVmid = (vmid: number): number => checkInt("vmid", VMID, vmid);
export const validateStorage = (storage: string): string =>
  checkText("storage", STORAGE_ID, storage);
export const validateSnapname = (name: string): string =>
  checkText("snapname", SNAPSHOT_NAME, name);
export const validateVolumeId = (name: string, v: string): string => checkText(name, VOLUME_ID, v);
