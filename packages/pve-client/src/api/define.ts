// The shape of one API operation's declaration (name, request, result, privileges, route, CLI argument
// grammars) and the helpers the table in operations.ts (assembled from api/ops-*.ts) is written with.
import type { IntGrammar, TextGrammar } from "@felhom/grammar";
import { PveResponseShapeError } from "../errors.js";
import type { PveRequest } from "../request.js";
import type { RecordParser } from "../schemas/record.js";
import { check } from "../schemas/validate.js";
import { isUpidString, parseUpid, type Upid } from "../upid.js";

/** One requirement: on `path`, at least one of `anyOf`. Paths use `{node}`, `{vmid}`, `{storage}`, `{bridge}`. */
export interface PrivilegeRequirement {
  readonly path:
    | "/"
    | "/nodes/{node}"
    | "/vms/{vmid}"
    | "/storage/{storage}"
    | "/sdn/zones/localnetwork/{bridge}";
  readonly anyOf: readonly string[];
}

/** Where an operation sits in the agent's routing table (DESIGN section 1) and which CLI subcommand shows it. */
export interface ApiRoute {
  /** The DESIGN section 1 row it implements, verbatim. */
  readonly row: string;
  /** The `felhom` subcommand that exposes it. */
  readonly cli: string;
}

/** Turns a response's `data` into the operation's result, or throws PveResponseShapeError naming `req`. */
export type ResultCheck<T> = (data: unknown, req: PveRequest) => T;

/** A declared API operation: what the table in operations.ts holds for each name. */
export interface ApiOperationDef {
  /** Human label (the access report and `felhom doctor` print it). */
  readonly label: string;
  /** Starts a PVE task or changes guest state (the CLI waits; per-guest serialisation applies). */
  readonly mutating: boolean;
  /** What the token needs (PVE's API permission declarations); empty: any token may (its own tasks). */
  readonly privileges: readonly PrivilegeRequirement[];
  /** The agent's routing-table entry; absent for the client's own plumbing (version, permissions, stop task). */
  readonly route?: ApiRoute;
  /**
   * The grammar of each argument a caller chooses (the request builder checks them; the CLI checks its
   * operands and options with the same ones before anything is sent).
   */
  readonly args?: Readonly<Record<string, TextGrammar | IntGrammar>>;
  /** Builds the request (method, path, parameters) from typed arguments, checking each argument's grammar. */
  readonly request?: (...args: never[]) => PveRequest;
  /** Validates the answer's `data`. */
  readonly result?: ResultCheck<unknown>;
}

/** Declares one operation, keeping its argument, result, row and CLI name types exact. */
export function defineOperation<const D extends ApiOperationDef>(def: D): D {
  return Object.freeze(def);
}

/** The result check of a compiled record parser. */
export const parsed =
  <T>(parser: RecordParser<T>): ResultCheck<T> =>
  (data, req) =>
    check(parser, data, req);

export const vm = (...anyOf: string[]): PrivilegeRequirement => ({ path: "/vms/{vmid}", anyOf });
export const onNode = (...anyOf: string[]): PrivilegeRequirement => ({
  path: "/nodes/{node}",
  anyOf,
});
/** PVE 8+ checks SDN.Use on a guest NIC's bridge (pve-guest-common check_vnet_access), also on restore. */
export const bridge = (...anyOf: string[]): PrivilegeRequirement => ({
  path: "/sdn/zones/localnetwork/{bridge}",
  anyOf,
});
export const storage = (...anyOf: string[]): PrivilegeRequirement => ({
  path: "/storage/{storage}",
  anyOf,
});

/** The result of a call that starts a task: its UPID. */
export const taskStarted: ResultCheck<Upid> = (data, req) => {
  if (!isUpidString(data)) {
    throw new PveResponseShapeError(req.method, req.path, [
      { path: [], message: `expected a UPID, got ${JSON.stringify(data)?.slice(0, 80)}` },
    ]);
  }
  return parseUpid(data);
};

/** The result of a call PVE answers with `null` (applied synchronously). */
export const applied: ResultCheck<void> = (data, req) => {
  if (data !== null && data !== "") {
    throw new PveResponseShapeError(req.method, req.path, [{ path: [], message: "expected null" }]);
  }
};
