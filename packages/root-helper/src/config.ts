// What the helper is told at start: tool paths, directories, the agent's identity and the limits. Production
// values are fixed here; only tests and the demo pass other ones, through the library entry (startHelper).

/** Absolute paths of the only binaries the helper ever executes. */
export type ToolPaths = Readonly<Record<Tool, string>>;
type Tool = "pct" | "systemctl" | "smartctl" | "sensors" | "lsblk";

/**
 * unitDir: where mount units are written. mountBase: the parent of every mount point. byIdDir: where udev's
 * stable by-id links are looked up (its parent holds the other by-* link folders). devDir: where device nodes
 * are checked and opened. sysDir: sysfs. pveDir: pmxcfs, whose guest configs may name a USB disk and count the
 * golden containers. goldenPolicy: the root-owned policy file of golden.createContainer.
 */
export type Dirs = Readonly<Record<DirKey, string>>;
type DirKey = "unitDir" | "mountBase" | "byIdDir" | "devDir" | "sysDir" | "pveDir" | "goldenPolicy";

export const DEFAULT_LIMITS = Object.freeze({
  maxConnections: 16, // served at once; Node closes any connection beyond
  maxInFlight: 4, // requests per connection; more are answered Busy
  requestTimeoutMs: 120_000, // deadline of one request, answered Timeout
  createTimeoutMs: 1_800_000, // deadline of `pct create` (request and tool)
  toolTimeoutMs: 60_000, // deadline of any other tool run; the tool is killed
  maxOutputBytes: 4 * 1024 * 1024, // stdout or stderr of one tool run; beyond it the tool is killed
  idleTimeoutMs: 60_000, // a connection with nothing in flight and no traffic is closed
  frameTimeoutMs: 10_000, // a frame must be complete this long after its first byte
  maxHeaderBytes: 1024,
  maxBodyBytes: 65_536,
});
export type Limits = { readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** The production tool paths and directories; nothing from the environment or argv can change them. */
export const PRODUCTION: { readonly tools: ToolPaths } & Dirs = Object.freeze({
  tools: Object.freeze({
    pct: "/usr/sbin/pct",
    systemctl: "/usr/bin/systemctl",
    smartctl: "/usr/sbin/smartctl",
    sensors: "/usr/bin/sensors",
    lsblk: "/usr/bin/lsblk",
  }),
  unitDir: "/etc/systemd/system",
  mountBase: "/mnt/felhom",
  byIdDir: "/dev/disk/by-id",
  devDir: "/dev",
  sysDir: "/sys",
  pveDir: "/etc/pve",
  goldenPolicy: "/etc/felhom/golden-policy.json",
});

/** The library entry's configuration (tests and the demo); main.ts fills it from PRODUCTION. */
export interface HelperConfig extends Dirs {
  readonly tools: ToolPaths;
  /** Listen on a new socket at this path (mode 0660), or adopt a listening fd (systemd's 3). */
  readonly listen: { readonly path: string } | { readonly fd: number };
  /** The peer identity served (besides root): uid and gid as the kernel reports them (SO_PEERCRED). */
  readonly agentUid: number;
  readonly agentGid: number;
  readonly limits?: Partial<Limits>;
  /** Called with the bound socket path before any connection is served; throwing refuses to start. */
  readonly verifySocket?: (path: string) => void;
  /** Receives each audit line (one JSON object); the default writes it to stderr. */
  readonly audit?: (line: string) => void;
}
