// The routing table of DESIGN section 1 as data: every operation the agent offers, the one backend that serves
// it, and the design row it implements. The API half comes from pve-client's declaration of each operation;
// the facade (host.ts) is type-checked against this table.
import { API_OPERATIONS, ROUTED_API_OPERATIONS, type RoutedApiOperation } from "@felhom/pve-client";

/** The two backends. `api`: the pve-client over HTTPS with the token. `helper`: the root helper's RPC stubs. */
export type Backend = "api" | "helper";

/** DESIGN section 1, first column, verbatim (the routing test compares it with the design document). */
export const DESIGN_ROWS = [
  "node status, resources, metrics (rrddata)",
  "list guests (lxc + qemu), per-guest status and config",
  "storage list, storage content",
  "task status, task log",
  "restore LXC from archive (the PRIMARY create path)",
  "vzdump backup, stop / snapshot mode",
  "snapshot, rollback, delete snapshot",
  "set config: memory, cores, net, options, mount points",
  "start, stop, shutdown guest",
  "golden-image `pct create` with features keyctl=1",
  "USB disk mount by filesystem UUID (systemd mount unit)",
  "SMART and hardware sensors",
] as const;
export type DesignRow = (typeof DESIGN_ROWS)[number];

/** The backend DESIGN section 1 names for each row. */
export const DESIGN_BACKENDS: { readonly [R in DesignRow]: Backend } = {
  "node status, resources, metrics (rrddata)": "api",
  "list guests (lxc + qemu), per-guest status and config": "api",
  "storage list, storage content": "api",
  "task status, task log": "api",
  "restore LXC from archive (the PRIMARY create path)": "api",
  "vzdump backup, stop / snapshot mode": "api",
  "snapshot, rollback, delete snapshot": "api",
  "set config: memory, cores, net, options, mount points": "api",
  "start, stop, shutdown guest": "api",
  "golden-image `pct create` with features keyctl=1": "helper",
  "USB disk mount by filesystem UUID (systemd mount unit)": "helper",
  "SMART and hardware sensors": "helper",
};

export interface Route<B extends Backend = Backend> {
  readonly backend: B;
  readonly row: DesignRow;
  /** Does it start a PVE task (returns a UPID) or change host state? */
  readonly mutating: boolean;
  /** The CLI subcommand that exposes it. */
  readonly cli: string;
}

const route = <B extends Backend>(
  backend: B,
  row: string,
  mutating: boolean,
  cli: string,
): Route<B> => Object.freeze({ backend, row: row as DesignRow, mutating, cli });

type ApiDecl = typeof API_OPERATIONS;

/** Compile-time proof that every declared API route names a DESIGN row (the table is in pve-client). */
type RowsOfApi = ApiDecl[RoutedApiOperation]["route"]["row"];
const API_ROWS_ARE_DESIGN_ROWS: RowsOfApi extends DesignRow ? true : never = true;

/** The API half: one route per routed operation of pve-client's declaration table, nothing written twice. */
const API_ROUTES = Object.fromEntries(
  ROUTED_API_OPERATIONS.map((op) => {
    const d = API_OPERATIONS[op];
    return [op, route("api", d.route.row, d.mutating, d.route.cli)];
  }),
) as { readonly [K in RoutedApiOperation]: Route<"api"> };

/** The helper half: the root helper's methods as the agent exposes them. */
const HELPER_ROUTES = {
  goldenCreate: route("helper", DESIGN_ROWS[9], true, "golden create"),
  usbMount: route("helper", DESIGN_ROWS[10], true, "usb mount"),
  usbUnmount: route("helper", DESIGN_ROWS[10], true, "usb unmount"),
  smart: route("helper", DESIGN_ROWS[11], false, "smart"),
  sensors: route("helper", DESIGN_ROWS[11], false, "sensors"),
} as const;

/** Every operation of the facade, exactly once, with its backend. */
export const ROUTES = Object.freeze({ ...API_ROUTES, ...HELPER_ROUTES });
void API_ROWS_ARE_DESIGN_ROWS;

export type Routes = typeof ROUTES;
export type Operation = keyof Routes;
export type ApiOperation = RoutedApiOperation;
export type HelperOperation = keyof typeof HELPER_ROUTES;

export const OPERATIONS = Object.keys(ROUTES) as Operation[];

/** Human name of a backend, for the demo and `--verbose` output. */
export function backendLabel(backend: Backend): string {
  return backend === "api"
    ? "API (pve-client, HTTPS + token)"
    : "root helper (JSON-RPC, Unix socket)";
}
