// The task id PVE returns from every asynchronous call, parsed strictly (pve-common PVE::UPID::decode) into a
// class that is not a string, so a call whose task was never waited for stands out in the types.
import { PveArgumentError } from "./errors.js";

// PVE::UPID decode, translated: node, pid (8 hex), pstart (8 or 9 hex), starttime (8 hex), type, id (may be
// empty), user (for tokens `user@realm!tokenname`), trailing colon.
const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;
const TOKEN_USER_RE = /^(.+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/;

const brand: unique symbol = Symbol("Upid");

/** A parsed PVE task id. Construct with `parseUpid`. */
export class Upid {
  declare readonly [brand]: true;
  /** The exact string PVE returned. */
  readonly raw: string;
  /** The node that runs the task: task endpoints must be called on this node. */
  readonly node: string;
  readonly pid: number;
  /** Process start time in clock ticks since boot (guards against pid reuse). */
  readonly pstart: number;
  /** Task start, Unix epoch seconds. */
  readonly starttime: number;
  /** Worker type, e.g. `vzrestore`, `vzdump`, `vzstart`. */
  readonly type: string;
  /** Object id, usually the VMID; may be empty (e.g. vzdump of several guests). */
  readonly id: string;
  /** `user@realm` that started the task (for tokens, without the token name). */
  readonly user: string;
  /** The token name when an API token started the task. */
  readonly tokenid: string | undefined;
  /** The full authenticated id, `user@realm` or `user@realm!tokenname`. */
  readonly authId: string;

  private constructor(raw: string, m: RegExpExecArray) {
    this.raw = raw;
    this.node = m[1] ?? "";
    this.pid = parseInt(m[2] ?? "", 16);
    this.pstart = parseInt(m[3] ?? "", 16);
    this.starttime = parseInt(m[4] ?? "", 16);
    this.type = m[5] ?? "";
    this.id = m[6] ?? "";
    this.authId = m[7] ?? "";
    const t = TOKEN_USER_RE.exec(this.authId);
    this.user = t ? (t[1] ?? "") : this.authId;
    this.tokenid = t ? t[2] : undefined;
  }

  /** @internal use parseUpid */
  static fromMatch(raw: string, m: RegExpExecArray): Upid {
    return new Upid(raw, m);
  }

  /** The VMID when the id field is one. */
  get vmid(): number | undefined {
    return /^\d+$/.test(this.id) ? Number(this.id) : undefined;
  }

  /** Task start as a Date. */
  get startedAt(): Date {
    return new Date(this.starttime * 1000);
  }

  /** Percent-encoded for use as a path segment. */
  get encoded(): string {
    return encodeURIComponent(this.raw);
  }

  equals(other: Upid): boolean {
    return this.raw === other.raw;
  }

  toString(): string {
    return this.raw;
  }

  toJSON(): string {
    return this.raw;
  }
}

/** Parses PVE's UPID format strictly; throws PveArgumentError on anything else (including PBS's format). */
export function parseUpid(value: string): Upid {
  const m = typeof value === "string" ? UPID_RE.exec(value) : null;
  if (!m) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 120)) : typeof value;
    throw new PveArgumentError("UPID", `not a Proxmox VE task id: ${shown}`);
  }
  return Upid.fromMatch(value, m);
}

/** True when the string parses as a PVE UPID. */
export function isUpidString(value: unknown): value is string {
  return typeof value === "string" && UPID_RE.test(value);
}
