// The routing table of DESIGN section 1 as data: every operation the agent offers, the one backend that serves
// it, and the design row it implements. The facade (host.ts) is type-checked against this table.

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
  row: DesignRow,
  mutating: boolean,
  cli: string,
): Route<B> => Object.freeze({ backend, row, mutating, cli });

/** Every operation of the facade, exactly once, with its backend. */
export const ROUTES = Object.freeze({
  nodeStatus: route("api", DESIGN_ROWS[0], false, "status"),
  resources: route("api", DESIGN_ROWS[0], false, "resources"),
  rrddata: route("api", DESIGN_ROWS[0], false, "metrics"),
  guests: route("api", DESIGN_ROWS[1], false, "guests"),
  guestStatus: route("api", DESIGN_ROWS[1], false, "guest"),
  guestConfig: route("api", DESIGN_ROWS[1], false, "guest"),
  storage: route("api", DESIGN_ROWS[2], false, "storage"),
  storageContent: route("api", DESIGN_ROWS[2], false, "content"),
  tasks: route("api", DESIGN_ROWS[3], false, "tasks"),
  taskStatus: route("api", DESIGN_ROWS[3], false, "task"),
  taskLog: route("api", DESIGN_ROWS[3], false, "task"),
  waitTask: route("api", DESIGN_ROWS[3], false, "task"),
  restore: route("api", DESIGN_ROWS[4], true, "restore"),
  backup: route("api", DESIGN_ROWS[5], true, "backup"),
  snapshots: route("api", DESIGN_ROWS[6], false, "snapshots"),
  snapshot: route("api", DESIGN_ROWS[6], true, "snapshot"),
  rollback: route("api", DESIGN_ROWS[6], true, "rollback"),
  deleteSnapshot: route("api", DESIGN_ROWS[6], true, "delete-snapshot"),
  setConfig: route("api", DESIGN_ROWS[7], true, "config"),
  start: route("api", DESIGN_ROWS[8], true, "start"),
  stop: route("api", DESIGN_ROWS[8], true, "stop"),
  shutdown: route("api", DESIGN_ROWS[8], true, "shutdown"),
  goldenCreate: route("helper", DESIGN_ROWS[9], true, "golden create"),
  usbMount: route("helper", DESIGN_ROWS[10], true, "usb mount"),
  usbUnmount: route("helper", DESIGN_ROWS[10], true, "usb unmount"),
  smart: route("helper", DESIGN_ROWS[11], false, "smart"),
  sensors: route("helper", DESIGN_ROWS[11], false, "sensors"),
});

export type Routes = typeof ROUTES;
export type Operation = keyof Routes;
export type ApiOperation = {
  [K in Operation]: Routes[K]["backend"] extends "api" ? K : never;
}[Operation];
export type HelperOperation = Exclude<Operation, ApiOperation>;

export const OPERATIONS = Object.keys(ROUTES) as Operation[];

/** Human name of a backend, for the demo and `--verbose` output. */
export function backendLabel(backend: Backend): string {
  return backend === "api"
    ? "API (pve-client, HTTPS + token)"
    : "root helper (JSON-RPC, Unix socket)";
}
