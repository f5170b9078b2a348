// The fence between the two backends, proven three ways: the routing table matches DESIGN section 1 (its extract
// test/data/design-routing.json, made by scripts/extract-design-routing.mjs) and the
// facade sends every operation to exactly the backend the table names; statically, no package imports what its
// role forbids (through its whole production dependency tree); and at run time (test/fence-runtime.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  COMMANDS,
  DESIGN_BACKENDS,
  DESIGN_ROWS,
  OPERATIONS,
  ROUTES,
  createHost,
} from "@felhom/agent";
import type { ApiBackend, Backend, HelperBackend, Operation } from "@felhom/agent";
import { API_OPERATIONS, OPERATION_PRIVILEGES, parseUpid } from "@felhom/pve-client";
import { ROOT, scanTree } from "./fence/imports.js";

const DESIGN_EXTRACT = join(ROOT, "test", "data", "design-routing.json");

/** The rows of DESIGN.md's section-1 table (from the extract in the repository): operation text and backend. */
function designTable(): Array<{ row: string; backend: Backend }> {
  const { lines } = JSON.parse(readFileSync(DESIGN_EXTRACT, "utf8")) as { lines: string[] };
  return lines
    .filter((l) => l.startsWith("| ") && !l.startsWith("| Operation") && !l.startsWith("| ---"))
    .map((l) => {
      const [row = "", backend = ""] = l.split(" | ").map((c) => c.replace(/^\| /, "").trim());
      return {
        row,
        backend:
          backend === "API" ? "api" : backend === "root helper" ? "helper" : (backend as Backend),
      };
    });
}

test("routing – the table is DESIGN section 1, row by row, with the same backends", () => {
  const design = designTable();
  assert.equal(design.length, 12);
  assert.deepEqual(
    design.map((d) => d.row),
    [...DESIGN_ROWS],
  );
  for (const d of design)
    assert.equal(DESIGN_BACKENDS[d.row as keyof typeof DESIGN_BACKENDS], d.backend, d.row);
});

test("routing – every design row has operations, and each operation has the backend of its row", () => {
  for (const row of DESIGN_ROWS) {
    const ops = OPERATIONS.filter((op) => ROUTES[op].row === row);
    assert.ok(ops.length > 0, `no operation implements "${row}"`);
    for (const op of ops) assert.equal(ROUTES[op].backend, DESIGN_BACKENDS[row], op);
  }
  assert.equal(new Set(OPERATIONS).size, OPERATIONS.length);
});

test("routing – the API half is pve-client's declaration table: same names, rows, privileges", () => {
  const apiOps = OPERATIONS.filter((op) => ROUTES[op].backend === "api");
  const declared = Object.entries(API_OPERATIONS)
    .filter(([, d]) => "route" in d)
    .map(([name]) => name);
  assert.deepEqual([...apiOps].sort(), [...declared].sort());
  assert.deepEqual(Object.keys(OPERATION_PRIVILEGES).sort(), [...apiOps].sort());
  for (const op of apiOps) {
    const d = API_OPERATIONS[op as keyof typeof API_OPERATIONS] as {
      route: { row: string; cli: string };
      mutating: boolean;
      privileges: unknown;
    };
    assert.equal(ROUTES[op].row, d.route.row, op);
    assert.equal(ROUTES[op].cli, d.route.cli, op);
    assert.equal(ROUTES[op].mutating, d.mutating, op);
    assert.equal(
      OPERATION_PRIVILEGES[op as keyof typeof OPERATION_PRIVILEGES].requires,
      d.privileges,
    );
  }
});

/** Backends that record which of them was touched, by which method. */
function recordingBackends() {
  const touched: Array<{ backend: Backend; method: string }> = [];
  const api = new Proxy(
    {},
    {
      get:
        (_t, method) =>
        (...args: unknown[]) => {
          touched.push({ backend: "api", method: String(method) });
          // waitTask gets an outcome, everything else an empty answer: the facade passes results through.
          return Promise.resolve(method === "waitTask" ? { status: "ok", upid: args[0] } : {});
        },
    },
  ) as unknown as ApiBackend;
  const stub = new Proxy(
    {},
    {
      get: (_t, method) => () => {
        touched.push({ backend: "helper", method: String(method) });
        return Promise.resolve({});
      },
    },
  );
  const helper: HelperBackend = {
    call: <T>(fn: (client: never) => Promise<T>) => fn(stub as never),
  };
  return { api, helper, touched };
}

const upid = parseUpid("UPID:pve:0000A1B2:0012C3D4:6745E0F0:vzdump:101:felhom@pve!agent:");
const lxc = { vmid: 101, kind: "lxc" as const };
/** One sample call per operation (arguments only need the right shape: the backends are recorders). */
const SAMPLE: { readonly [K in Operation]: unknown[] } = {
  nodeStatus: [],
  clusterResources: [{ type: "vm" }],
  rrddata: [{ timeframe: "hour" }],
  listGuests: [],
  guestStatus: [lxc],
  guestConfig: [lxc],
  storageList: [],
  storageContent: ["local", { content: "backup" }],
  taskList: [{ limit: 5 }],
  taskStatus: [upid],
  taskLog: [upid, { start: 0, limit: 10 }],
  waitTask: [upid, { timeoutMs: 1000 }],
  restore: [{ vmid: 201, archive: "local:backup/vzdump-lxc-101.tar.zst", storage: "local-lvm" }],
  backup: [{ vmid: 101, mode: "snapshot", storage: "local" }],
  snapshots: [lxc],
  snapshot: [lxc, "before-upgrade"],
  rollback: [lxc, "before-upgrade"],
  deleteSnapshot: [lxc, "before-upgrade"],
  setConfig: [{ vmid: 101, kind: "lxc", changes: { memory: 1024 } }],
  start: [lxc],
  stop: [lxc],
  shutdown: [lxc],
  goldenCreate: [
    {
      vmid: 9000,
      ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
      storage: "local-lvm",
      hostname: "golden",
      memory: 1024,
      cores: 2,
      rootfsGiB: 8,
      bridge: "vmbr0",
    },
  ],
  usbMount: [{ uuid: "11111111-2222-3333-4444-555555555555", name: "backup", fstype: "ext4" }],
  usbUnmount: [{ name: "backup" }],
  smart: [{ device: "/dev/sda" }],
  sensors: [],
};

test("routing – the facade exposes each operation exactly once and sends it only to its backend", async () => {
  const { api, helper, touched } = recordingBackends();
  const reported: Array<{ op: Operation; backend: Backend }> = [];
  const host = createHost({
    api,
    helper,
    node: "pve",
    onCall: (op, backend) => reported.push({ op, backend }),
  });
  const exposed = Object.keys(host).filter(
    (k) => typeof (host as Record<string, unknown>)[k] === "function",
  );
  assert.deepEqual(exposed.filter((k) => k !== "backendOf").sort(), [...OPERATIONS].sort());
  assert.ok(Object.isFrozen(host), "no operation can be added or re-pointed");

  for (const op of OPERATIONS) {
    touched.length = 0;
    const fn = host[op] as (...args: unknown[]) => Promise<unknown>;
    await fn(...SAMPLE[op]);
    const expected = ROUTES[op].backend;
    assert.ok(touched.length > 0, `${op} reached no backend`);
    assert.deepEqual(
      [...new Set(touched.map((x) => x.backend))],
      [expected],
      `${op} must reach only the ${expected} backend, touched ${JSON.stringify(touched)}`,
    );
    assert.equal(host.backendOf(op), expected);
  }
  assert.deepEqual(
    reported.map((r) => r.op),
    [...OPERATIONS],
  );
  for (const r of reported) assert.equal(r.backend, ROUTES[r.op].backend);
});

test("routing – every operation has a CLI subcommand, and each subcommand uses routed operations only", () => {
  const byName = new Map(COMMANDS.map((c) => [c.name, c]));
  for (const op of OPERATIONS) {
    const cmd = byName.get(ROUTES[op].cli);
    assert.ok(cmd, `${op}: no subcommand ${ROUTES[op].cli}`);
    assert.ok(cmd.ops.includes(op), `${ROUTES[op].cli} does not declare ${op}`);
  }
  for (const c of COMMANDS)
    for (const op of c.ops) assert.ok(OPERATIONS.includes(op), `${c.name}: ${op}`);
  const names = COMMANDS.map((c) => c.name);
  for (const required of [
    "status",
    "guests",
    "guest",
    "storage",
    "content",
    "tasks",
    "task",
    "restore",
    "backup",
    "snapshot",
    "rollback",
    "delete-snapshot",
    "config",
    "start",
    "stop",
    "shutdown",
    "golden create",
    "usb mount",
    "usb unmount",
    "smart",
    "sensors",
    "doctor",
  ]) {
    assert.ok(names.includes(required), `felhom ${required} is missing`);
  }
});

const SPAWNING = [
  "child_process",
  "execa",
  "cross-spawn",
  "nano-spawn",
  "tinyexec",
  "zx",
  "shelljs",
  "cluster",
];
const NETWORK = [
  "http",
  "https",
  "http2",
  "tls",
  "dgram",
  "undici",
  "node-fetch",
  "axios",
  "got",
  "ws",
];

test("fence – pve-client and its whole dependency tree never import a way to start a process", () => {
  const { findings, packages, files } = scanTree(join(ROOT, "packages", "pve-client"), SPAWNING);
  assert.deepEqual(findings, []);
  assert.ok(
    packages.includes("undici") && packages.includes("@felhom/grammar"),
    `scanned ${packages.join(", ")}`,
  );
  assert.ok(files > 50, `scanned ${files} files`);
});

test("fence – root-helper and its dependency tree never import or call the network", () => {
  const { findings, packages } = scanTree(join(ROOT, "packages", "root-helper"), NETWORK, [
    /\bfetch\s*\(/,
    /\bWebSocket\b/,
    /\bXMLHttpRequest\b/,
    /\bEventSource\b/,
  ]);
  assert.deepEqual(findings, []);
  assert.ok(packages.includes("vscode-jsonrpc") && packages.includes("@felhom/helper-protocol"));
  const pkg = JSON.parse(
    readFileSync(join(ROOT, "packages", "root-helper", "package.json"), "utf8"),
  ) as {
    dependencies: Record<string, string>;
  };
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), [
    "@felhom/helper-protocol",
    "vscode-jsonrpc",
    "zod",
  ]);
});

test("fence – the agent (and its dependencies) never start a process", () => {
  const { findings, packages } = scanTree(join(ROOT, "packages", "agent"), SPAWNING);
  assert.deepEqual(findings, []);
  assert.ok(packages.includes("pino") && packages.includes("@felhom/pve-client"));
});

test("fence – the scanner finds what it looks for (it can fail)", () => {
  // The root helper does exec (node:child_process): scanning it for spawning modules must report that.
  const { findings } = scanTree(join(ROOT, "packages", "root-helper"), ["child_process"]);
  assert.ok(
    findings.some(
      (f) => f.package === "@felhom/root-helper" && f.what === "imports node:child_process",
    ),
  );
  // And the pve-client does use undici: scanning it for network modules must report that.
  const net = scanTree(join(ROOT, "packages", "pve-client"), ["undici"]);
  assert.ok(net.findings.some((f) => f.package === "@felhom/pve-client"));
});
