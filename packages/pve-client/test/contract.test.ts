// Contract: every request the client can build (every operation, every optional parameter) matches PVE's
// published API schema — as extracted into the repository (packages/pve-sim/api-schema/slice1.json, provenance in
// its "source"): method, path, parameter names, types, enums, patterns, ranges and the keys of property strings.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ops, parsePropertyString, parseUpid, type PveRequest } from "@felhom/pve-client";
import { loadSchema } from "@felhom/pve-sim";

interface Prop {
  type?: string;
  optional?: number;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: string | Record<string, Prop & { default_key?: number; alias?: string }>;
}

const schema = loadSchema();

function find(method: string, path: string) {
  return schema.operations.find((op) => op.method === method && op.path === path);
}

/** Perl `(?^:…)`/`(?^i:…)` groups → JavaScript. */
function jsRegex(pattern: string): RegExp {
  const flags = pattern.includes("(?^i:") ? "i" : "";
  return new RegExp(`^(?:${pattern.replace(/\(\?\^i?:/g, "(?:")})$`, flags);
}

function checkValue(where: string, p: Prop, v: string): void {
  switch (p.type) {
    case "boolean":
      assert.ok(v === "0" || v === "1", `${where}: boolean must be 0/1, got ${v}`);
      break;
    case "integer":
      assert.match(v, /^-?\d+$/, `${where}: integer`);
      break;
    case "number":
      assert.ok(Number.isFinite(Number(v)), `${where}: number`);
      break;
    case "string":
    case undefined:
      break;
    default:
      assert.fail(`${where}: unexpected schema type ${p.type}`);
  }
  if (p.minimum !== undefined) assert.ok(Number(v) >= p.minimum, `${where}: >= ${p.minimum}`);
  if (p.maximum !== undefined) assert.ok(Number(v) <= p.maximum, `${where}: <= ${p.maximum}`);
  if (p.maxLength !== undefined) assert.ok(v.length <= p.maxLength, `${where}: maxLength`);
  if (p.enum) assert.ok(p.enum.includes(v), `${where}: ${v} not in ${p.enum.join("|")}`);
  if (p.pattern) assert.match(v, jsRegex(p.pattern), `${where}: pattern ${p.pattern}`);
  if (typeof p.format === "object") {
    const fmt = p.format;
    const defaultKey = Object.entries(fmt).find(([, d]) => d.default_key)?.[0];
    const parsed = parsePropertyString(v, defaultKey);
    for (const [k, sub] of Object.entries(parsed)) {
      const def = fmt[k];
      assert.ok(def, `${where}: property-string key ${k} not in the schema`);
      const target = def.alias ? fmt[def.alias] : def;
      assert.ok(target, `${where}: alias ${k}`);
      checkValue(`${where}.${k}`, target, sub);
    }
    for (const [k, d] of Object.entries(fmt)) {
      if (!d.alias && d.optional !== 1 && !d.default_key && d.type) {
        assert.ok(parsed[k] !== undefined, `${where}: property-string key ${k} is required`);
      }
    }
  }
}

function validate(req: PveRequest): void {
  const info = find(req.method, req.template);
  assert.ok(info, `${req.method} ${req.template}: not in the API schema extract`);
  const props = (info.parameters.properties ?? {}) as Record<string, Prop>;
  const pathParams = [...req.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
  for (const name of pathParams) assert.ok(props[name], `${req.template}: path parameter ${name}`);
  for (const [name, value] of Object.entries(req.params)) {
    const key = props[name] ? name : name.replace(/^([a-z]+)\d+$/, "$1[n]");
    const p = props[key];
    assert.ok(p, `${req.method} ${req.template}: parameter ${name} not in the schema`);
    assert.ok(!pathParams.includes(name), `${name} sent both in path and body`);
    for (const v of typeof value === "string" ? [value] : value)
      checkValue(`${req.template} ${name}`, p, v);
  }
  for (const [name, p] of Object.entries(props)) {
    if (p.optional === 1 || pathParams.includes(name)) continue;
    assert.ok(
      req.params[name] !== undefined,
      `${req.method} ${req.template}: required ${name} missing`,
    );
  }
}

const upid = parseUpid("UPID:pve:00001234:00005678:6650A1B2:vzstart:100:felhom@pve!agent:");

/** Every builder, with every optional parameter it supports set. */
function everyRequest(o: typeof ops = ops): PveRequest[] {
  const out: PveRequest[] = [
    o.version(),
    o.permissions(),
    o.permissions("/vms/100"),
    o.clusterResources(),
    o.clusterResources("vm"),
    o.nodeStatus("pve"),
    o.rrddata("pve", "hour"),
    o.rrddata("pve", "week", "MAX"),
    o.storageList("pve"),
    o.storageContent("pve", "local"),
    o.storageContent("pve", "local", { content: "backup", vmid: 100 }),
    o.taskList("pve"),
    o.taskList("pve", {
      start: 0,
      limit: 100,
      vmid: 100,
      typefilter: "vzdump",
      userfilter: "felhom@pve",
      since: 1700000000,
      until: 1800000000,
      source: "all",
      errors: true,
      statusfilter: ["ok", "error"],
    }),
    o.taskStatus(upid),
    o.taskLog(upid, 0, 50),
    o.taskLog(upid, 1_000_000_000, 1),
    o.stopTask(upid),
    o.restore("pve", {
      vmid: 101,
      archive: "local:backup/vzdump-lxc-100.tar.zst",
      storage: "local-lvm",
    }),
    o.restore("pve", {
      vmid: 101,
      archive: "local:backup/vzdump-lxc-100.tar.zst",
      storage: "local-lvm",
      newIdentity: { hostname: "web-2" },
      unprivileged: true,
      pool: "felhom",
      bwlimit: 10240,
      ignoreUnpackErrors: true,
    }),
    o.backup("pve", { vmid: 100, mode: "stop", storage: "local" }),
    o.backup("pve", {
      vmid: 100,
      mode: "snapshot",
      storage: "pbs",
      compress: "zstd",
      notes: "{{guestname}}",
      protected: true,
    }),
    o.setConfig("pve", "lxc", 100, {
      memory: 2048,
      swap: 512,
      cores: 2,
      cpulimit: 1.5,
      cpuunits: 100,
      hostname: "web",
      description: "d",
      onboot: true,
      protection: false,
      startup: "order=1,up=30",
      tags: ["felhom", "web"],
      nameserver: "1.1.1.1",
      searchdomain: "example.com",
      timezone: "Europe/Budapest",
      digest: "0123456789abcdef0123456789abcdef01234567",
      delete: ["mp3"],
      net: {
        0: {
          name: "eth0",
          bridge: "vmbr0",
          ip: "dhcp",
          ip6: "auto",
          firewall: true,
          tag: 10,
          mtu: 1500,
          rate: 12.5,
        },
        1: {
          name: "eth1",
          bridge: "vmbr1",
          hwaddr: "BC:24:11:00:00:01",
          ip: "10.0.0.2/24",
          gw: "10.0.0.1",
          link_down: false,
        },
        2: null,
      },
      mp: {
        0: {
          volume: "tank:subvol-100-disk-1",
          mp: "/bulk",
          backup: false,
          acl: true,
          ro: false,
          replicate: false,
          mountoptions: ["noatime", "nodev"],
        },
        1: {
          volume: "local-lvm:8",
          mp: "/data",
          backup: true,
          size: "8G",
          quota: true,
          shared: false,
        },
      },
    }),
    o.setConfig("pve", "qemu", 200, {
      memory: 4096,
      balloon: 1024,
      cores: 2,
      sockets: 1,
      name: "vm-200",
      onboot: true,
      tags: ["a"],
      net: {
        0: {
          model: "virtio",
          bridge: "vmbr0",
          macaddr: "BC:24:11:00:00:02",
          firewall: true,
          queues: 2,
          tag: 5,
        },
        1: { model: "e1000", bridge: "vmbr1", link_down: true, mtu: 1500, rate: 10 },
      },
    }),
  ];
  for (const kind of ["lxc", "qemu"] as const) {
    out.push(
      o.listGuests("pve", kind),
      o.guestStatus("pve", kind, 100),
      o.guestConfig("pve", kind, 100),
      o.snapshots("pve", kind, 100),
      o.snapshot("pve", kind, 100, "before_upgrade", { description: "pre" }),
      o.rollback("pve", kind, 100, "before_upgrade"),
      o.rollback("pve", kind, 100, "before_upgrade", { start: true }),
      o.deleteSnapshot("pve", kind, 100, "before_upgrade"),
      o.deleteSnapshot("pve", kind, 100, "before_upgrade", { force: true }),
      o.start("pve", kind, 100),
      o.stop("pve", kind, 100),
      o.stop("pve", kind, 100, { overruleShutdown: true }),
      o.shutdown("pve", kind, 100, { timeout: 60, forceStop: true }),
    );
  }
  out.push(o.snapshot("pve", "qemu", 100, "with_ram", { vmstate: true }));
  return out;
}

test("contract – every request the client builds matches PVE's API schema", () => {
  const reqs = everyRequest();
  for (const r of reqs) validate(r);
  const covered = new Set(reqs.map((r) => `${r.method} ${r.template}`));
  const listed = new Set(schema.operations.map((op) => `${op.method} ${op.path}`));
  for (const c of covered) assert.ok(listed.has(c), `${c} is outside the schema extract`);
  const notUsed = [...listed].filter((l) => !covered.has(l)).sort();
  assert.deepEqual(notUsed, [
    "GET /nodes", // served by the simulator for other clients; this client is given its node
    "GET /nodes/{node}/disks/list", // SMART and disks go through the root helper
    "GET /nodes/{node}/disks/smart",
    "GET /storage", // the node's storage list (with usage) is used instead
    "PUT /nodes/{node}/qemu/{vmid}/config", // QEMU config changes use the async POST
  ]);
});

test("contract – every builder in ops is exercised", () => {
  const used = new Set<string>();
  const recording = new Proxy(ops, {
    get(target, key) {
      if (typeof key === "string") used.add(key);
      return Reflect.get(target, key) as unknown;
    },
  });
  everyRequest(recording);
  assert.deepEqual([...used].sort(), Object.keys(ops).sort());
});

test("contract – the validator itself rejects what PVE would reject", () => {
  const bad: PveRequest = { ...ops.start("pve", "lxc", 100), params: { skiplock: "true" } };
  assert.throws(() => validate(bad), /boolean must be 0\/1/);
  const unknown: PveRequest = { ...ops.version(), params: { bogus: "1" } };
  assert.throws(() => validate(unknown), /not in the schema/);
  const mpKey: PveRequest = {
    ...ops.setConfig("pve", "lxc", 100, { memory: 1 }),
    params: { mp0: "v:1,mp=/x,bogus=1" },
  };
  assert.throws(() => validate(mpKey), /bogus not in the schema/);
});
