// End to end: every `felhom` subcommand, in text and --json, against the simulator over real HTTPS and a real root
// helper process over its Unix socket (fake tools); results are checked against the simulator's own state.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { memoryIo, runCli } from "@felhom/agent";
import { startSystem } from "./support/system.js";
import type { TestSystem } from "./support/system.js";
import { USB_UUID } from "@felhom/test-support";

let sys: TestSystem;

before(async () => {
  sys = await startSystem();
});
after(async () => {
  await sys.close();
});

/** Runs a command in text mode and in --json, both must exit `code`; returns both outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked field by field below
type Json = any;

async function both(args: string[], code = 0): Promise<{ text: string; data: Json; err: string }> {
  const text = await sys.cli(args);
  assert.equal(text.code, code, `felhom ${args.join(" ")}: ${text.err}`);
  const j = await sys.cli([...args, "--json"]);
  assert.equal(j.code, code, `felhom ${args.join(" ")} --json: ${j.err}`);
  return { text: text.out, data: JSON.parse(j.out), err: text.err };
}

describe("felhom CLI against the simulator and a real root helper", () => {
  test("status – node status from the API", async () => {
    const { text, data } = await both(["status"]);
    assert.match(text, /^node: +pve$/m);
    assert.match(text, /^pve: +pve-manager\/9\.1\.4\//m);
    assert.equal(data.pveversion, "pve-manager/9.1.4/" + sys.sim.state.node.repoid);
    assert.equal(data.memory.total, sys.sim.state.node.memTotal);
  });

  test("resources and metrics – cluster resources and rrddata", async () => {
    const r = await both(["resources", "--type", "vm"]);
    assert.deepEqual(
      r.data.map((x: { vmid: number }) => x.vmid).sort(),
      [...sys.sim.state.guests.keys()].sort(),
    );
    assert.match(r.text, /^ID +TYPE +NODE/m);
    const m = await both(["metrics", "--timeframe", "hour"]);
    assert.ok(Array.isArray(m.data) && m.data.length > 0 && typeof m.data[0].time === "number");
    assert.match(m.text, /^TIME +CPU/m);
  });

  test("guests and guest – lists match the simulator, one guest shows status and config", async () => {
    const g = await both(["guests"]);
    const truth = [...sys.sim.state.guests.values()].map((x) => [x.vmid, x.type, x.status]).sort();
    assert.deepEqual(
      g.data
        .map((x: { vmid: number; kind: string; status: string }) => [x.vmid, x.kind, x.status])
        .sort(),
      truth,
    );
    assert.match(g.text, /^ +100 +lxc +web +running/m);
    const one = await both(["guest", "100"]);
    assert.equal(one.data.status.status, "running");
    assert.equal(one.data.config.hostname, "web");
    assert.equal(one.data.config.mp["0"].backup, false);
    assert.match(one.text, /^ +hostname: +web$/m);
    const vm = await both(["guest", "200", "--kind", "qemu"]);
    assert.equal(vm.data.config.kind, "qemu");
  });

  test("storage, content and snapshots", async () => {
    const s = await both(["storage"]);
    assert.deepEqual(
      s.data.map((x: { storage: string }) => x.storage).sort(),
      [...sys.sim.state.storages.keys()].sort(),
    );
    const c = await both(["content", "local", "--content", "backup"]);
    assert.deepEqual(
      c.data.map((v: { volid: string }) => v.volid).sort(),
      sys.sim.state
        .backups()
        .filter((b) => b.volid.startsWith("local:"))
        .map((b) => b.volid)
        .sort(),
    );
    const snaps = await both(["snapshots", "101"]);
    assert.ok(snaps.data.some((x: { name: string }) => x.name === "before-upgrade"));
    assert.match(snaps.text, /before-upgrade/);
  });

  test("restore – with --hostname, alongside the original: new MAC, new hostname, task awaited", async () => {
    const archive = sys.sim.state.backups(100)[0]?.volid;
    assert.ok(archive);
    const r = await sys.cli([
      "restore",
      "120",
      "--archive",
      archive,
      "--storage",
      "local-lvm",
      "--hostname",
      "web-two",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^restore 120: task UPID:pve:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:vzrestore:120:felhom@pve!agent:$/m,
    );
    assert.match(r.out, /^ +│ /m, "the task log is streamed");
    assert.match(r.out, /^✓ restore 120: OK/m);
    const ct = sys.sim.state.guest(120);
    assert.equal(ct?.config.hostname, "web-two");
    assert.notEqual(
      String(ct?.config.net0).match(/hwaddr=([^,]+)/)?.[1],
      String(sys.sim.state.guest(100)?.config.net0).match(/hwaddr=([^,]+)/)?.[1],
    );
    // --json: one document with the outcome.
    const j = await sys.cli([
      "restore",
      "121",
      "--archive",
      archive,
      "--storage",
      "local-lvm",
      "--json",
    ]);
    assert.equal(j.code, 0, j.err);
    const doc = JSON.parse(j.out);
    assert.equal(doc.status, "ok");
    assert.match(doc.upid, /:vzrestore:121:/);
  });

  test("start, stop, shutdown – each awaited in text and --json; a failing task exits 1 with its error", async () => {
    const start = await sys.cli(["start", "101"]);
    assert.equal(start.code, 0, start.err);
    assert.match(start.out, /✓ start 101: OK/);
    assert.equal(sys.sim.state.guest(101)?.status, "running");
    // Starting it again: PVE refuses the POST itself (500 CT 101 already running); exit 1, one line, JSON error.
    const again = await sys.cli(["start", "101", "--json"]);
    assert.equal(again.code, 1);
    const refused = JSON.parse(again.out);
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, "PVE_HTTP");
    assert.match(again.err, /^felhom: PVE: .*CT 101 already running \[PVE_HTTP\]\n$/);
    const stop = await sys.cli(["stop", "101", "--json"]);
    assert.equal(stop.code, 0, stop.err);
    assert.equal(JSON.parse(stop.out).status, "ok");
    assert.equal(sys.sim.state.guest(101)?.status, "stopped");
    await sys.cli(["start", "101"]);
    const shutdown = await sys.cli(["shutdown", "101", "--shutdown-timeout", "30"]);
    assert.equal(shutdown.code, 0, shutdown.err);
    assert.match(shutdown.out, /✓ shutdown 101: OK/);
    assert.equal(sys.sim.state.guest(101)?.status, "stopped");
  });

  test("--no-wait – prints the UPID and returns; task UPID and task UPID --follow read it", async () => {
    const r = await sys.cli(["start", "101", "--no-wait"]);
    assert.equal(r.code, 0, r.err);
    const upid = r.out.trim();
    assert.match(upid, /^UPID:pve:.*:vzstart:101:felhom@pve!agent:$/);
    const follow = await sys.cli(["task", upid, "--follow"]);
    assert.equal(follow.code, 0, follow.err);
    assert.match(follow.out, /✓ vzstart 101: OK/);
    const t = await sys.cli(["task", upid]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^status: +stopped$/m);
    assert.match(t.out, /^exitstatus: +OK$/m);
    const tj = JSON.parse((await sys.cli(["task", upid, "--json"])).out);
    assert.equal(tj.status.exitstatus, "OK");
    assert.equal(tj.log.at(-1).t, "TASK OK");
    const list = await sys.cli(["tasks", "--limit", "5", "--json"]);
    assert.ok(JSON.parse(list.out).some((x: { upid: string }) => x.upid === upid));
    const listText = await sys.cli(["tasks", "--vmid", "101"]);
    assert.ok(listText.out.includes(upid));
    const nw = JSON.parse((await sys.cli(["stop", "101", "--no-wait", "--json"])).out);
    assert.equal(nw.status, "started");
    assert.equal((await sys.cli(["task", nw.upid, "--follow", "--json"])).code, 0);
  });

  test("snapshot, rollback, delete-snapshot – text and --json", async () => {
    const s = await sys.cli(["snapshot", "101", "demo1", "--description", "first"]);
    assert.equal(s.code, 0, s.err);
    assert.ok(sys.sim.state.guest(101)?.snapshots.has("demo1"));
    const s2 = JSON.parse((await sys.cli(["snapshot", "101", "demo2", "--json"])).out);
    assert.equal(s2.status, "ok");
    const rb = await sys.cli(["rollback", "101", "demo1"]);
    assert.equal(rb.code, 0, rb.err);
    assert.match(rb.out, /✓ rollback 101 demo1: OK/);
    assert.equal(
      JSON.parse((await sys.cli(["rollback", "101", "demo1", "--json"])).out).status,
      "ok",
    );
    const d = await sys.cli(["delete-snapshot", "101", "demo2"]);
    assert.equal(d.code, 0, d.err);
    assert.equal(
      JSON.parse((await sys.cli(["delete-snapshot", "101", "demo1", "--json"])).out).status,
      "ok",
    );
    const names = [...(sys.sim.state.guest(101)?.snapshots.keys() ?? [])];
    assert.ok(!names.includes("demo1") && !names.includes("demo2"), names.join(","));
  });

  test("config – shows the config; sets LXC options synchronously and QEMU ones through a task", async () => {
    const show = await both(["config", "100"]);
    assert.match(show.text, /^hostname: +web$/m);
    assert.equal(show.data.hostname, "web");
    const set = await sys.cli([
      "config",
      "101",
      "--memory",
      "1536",
      "--cores",
      "3",
      "--net1",
      "name=eth1,bridge=vmbr0,ip=dhcp",
      "--mp1",
      "local-lvm:4,mp=/srv/bulk,backup=0",
    ]);
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /✓ config 101: set memory, cores, net, mp/);
    const ct = sys.sim.state.guest(101)?.config;
    assert.equal(ct?.memory, 1536);
    assert.equal(ct?.cores, 3);
    assert.match(String(ct?.net1), /name=eth1/);
    assert.match(String(ct?.mp1), /mp=\/srv\/bulk/);
    assert.match(String(ct?.mp1), /backup=0/);
    const vm = await sys.cli(["config", "201", "--memory", "4096", "--json"]);
    assert.equal(vm.code, 0, vm.err);
    assert.equal(JSON.parse(vm.out).status, "ok");
    assert.equal(Number(sys.sim.state.guest(201)?.config.memory), 4096);
    // A mount point without an explicit backup= flag is refused before anything is sent.
    const before = sys.sim.requests.length;
    const bad = await sys.cli(["config", "101", "--mp2", "local-lvm:4,mp=/srv/x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /needs an explicit backup=0 or backup=1/);
    assert.ok(!sys.sim.requests.slice(before).some((r) => r.mutating));
  });

  test("backup – stop and snapshot mode, text and --json; the archive appears in the storage", async () => {
    const b = await sys.cli(["backup", "101", "--storage", "local", "--mode", "stop"]);
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /INFO: backup mode: stop/);
    assert.match(b.out, /✓ backup 101 \(stop mode\): OK/);
    const j = JSON.parse((await sys.cli(["backup", "100", "--storage", "local", "--json"])).out);
    assert.equal(j.status, "ok");
    assert.ok(sys.sim.state.backups(101).length >= 1);
    assert.ok(sys.sim.state.backups(100).length >= 2);
  });

  test("a task failing inside after its POST returned 200 – exit 1, the task's message, --json document", async () => {
    const limited = sys.sim.addToken({
      id: "felhom@pve!nobackup",
      privsep: true,
      acl: [
        {
          path: "/",
          privs: ["Sys.Audit", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"],
        },
      ],
    });
    const { writeFile } = await import("node:fs/promises");
    const file = `${sys.dir}/nobackup.token`;
    await writeFile(file, limited.secret, { mode: 0o600 });
    const args = [
      "--token-id",
      limited.id,
      "--token-file",
      file,
      "backup",
      "100",
      "--storage",
      "local",
    ];
    const r = await sys.cli(args);
    assert.equal(r.code, 1);
    assert.match(r.out, /│ TASK ERROR: .*VM\.Backup/);
    assert.match(
      r.err,
      /^felhom: backup 100 \(snapshot mode\) failed inside the task: .*Permission check failed \(\/vms\/100, VM\.Backup\)\n$/,
    );
    const j = await sys.cli([...args, "--json"]);
    assert.equal(j.code, 1);
    const doc = JSON.parse(j.out);
    assert.equal(doc.status, "failed");
    assert.match(doc.exitstatus, /Permission check failed \(\/vms\/100, VM\.Backup\)/);
    assert.equal(doc.code, "PVE_PERMISSION");
    assert.ok(doc.logTail.some((l: string) => l.startsWith("TASK ERROR")));
    const post = sys.sim.requests.find((q) => q.upid === doc.upid);
    assert.equal(post?.status, 200, "the POST itself was accepted");
  });

  test("golden create – through the root helper; the container then shows keyctl=1 through the API", async () => {
    const args = [
      "golden",
      "create",
      "9001",
      "--template",
      "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
    ];
    const r = await sys.cli([...args, "--storage", "local-lvm", "--hostname", "golden-one"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /✓ golden create 9001: created with features nesting=1,keyctl=1/);
    assert.equal(sys.sim.state.guest(9001)?.config.features, "nesting=1,keyctl=1");
    const j = await sys.cli([
      ...args.slice(0, 2),
      "9002",
      ...args.slice(3),
      "--storage",
      "local-lvm",
      "--hostname",
      "g2",
      "--json",
    ]);
    assert.equal(j.code, 0, j.err);
    assert.equal(JSON.parse(j.out).vmid, 9002);
    const g = JSON.parse((await sys.cli(["guest", "9001", "--json"])).out);
    assert.deepEqual(g.config.features, { nesting: true, keyctl: true });
    // A shape the helper would refuse is refused by the CLI first, naming the option.
    const bad = await sys.cli([
      ...args.slice(0, 2),
      "9003",
      "--template=-rf",
      "--storage",
      "local-lvm",
      "--hostname",
      "x",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^felhom: golden create: --template "-rf" is not STORAGE:vztmpl/);
  });

  test("usb mount and unmount – through the root helper, unit written and removed", async () => {
    const m = await sys.cli(["usb", "mount", USB_UUID, "backup"]);
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /✓ mounted .*usb-SanDisk.*-part1 at .*\/mnt\/backup/);
    assert.equal((await readdir(sys.sandbox.unitDir)).length, 1);
    const again = await sys.cli(["usb", "mount", USB_UUID, "backup", "--json"]);
    assert.equal(again.code, 1);
    assert.equal(JSON.parse(again.out).error.code, "HELPER_ALREADY_EXISTS");
    const u = await sys.cli(["usb", "unmount", "backup", "--json"]);
    assert.equal(u.code, 0, u.err);
    assert.equal(JSON.parse(u.out).name, "backup");
    assert.deepEqual(await readdir(sys.sandbox.unitDir), []);
    const j = JSON.parse(
      (await sys.cli(["usb", "mount", USB_UUID, "second", "--fstype", "ext4", "--json"])).out,
    );
    assert.equal(j.name, "second");
    const t = await sys.cli(["usb", "unmount", "second"]);
    assert.match(t.out, /✓ unmounted second/);
    const gone = await sys.cli(["usb", "unmount", "second"]);
    assert.equal(gone.code, 1);
    assert.match(gone.err, /root helper: usb\.unmount: No such object \[HELPER_NOT_FOUND\]/);
  });

  test("smart and sensors – through the root helper", async (t) => {
    const s = await both(["sensors"]);
    assert.deepEqual(
      s.data.map((r: { chip: string; value: number }) => [r.chip, r.value]),
      [
        ["coretemp-virtual-0", 55],
        ["drivetemp-virtual-0", 41],
      ],
    );
    assert.match(s.text, /^coretemp-virtual-0 +Package id 0 +temp +55 °C/m);
    if (sys.sandbox.smartDevice === undefined) {
      t.skip(`smart: ${sys.sandbox.smartNote}`);
      return;
    }
    const one = await both(["smart", sys.sandbox.smartDevice]);
    assert.equal(one.data.health, "PASSED");
    assert.equal(one.data.model, "Samsung SSD 870 EVO 1TB");
    assert.match(one.text, /PASSED/);
    const all = await both(["smart"]);
    assert.equal(all.data.length, 1);
  });

  test("secrets – at trace level, across reads, a task, the helper and a 401, no output carries a secret", async () => {
    const runs = [
      await sys.cli(["--log-level", "trace", "status"]),
      await sys.cli(["--log-level", "trace", "guests", "--json"]),
      await sys.cli(["--log-level", "trace", "snapshot", "101", "traced"]),
      await sys.cli(["--log-level", "trace", "sensors"]),
      await sys.cli(["--log-level", "trace", "doctor", "--json"]),
    ];
    for (const r of runs) assert.equal(r.code, 0, r.err);
    const { writeFile } = await import("node:fs/promises");
    const wrong = "99999999-8888-7777-6666-555555555555";
    const file = `${sys.dir}/wrong.token`;
    await writeFile(file, wrong, { mode: 0o600 });
    const denied = await sys.cli(["--log-level", "trace", "--token-file", file, "status"]);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /PVE_AUTH/);
    const all = [...runs, denied].map((r) => r.out + r.err).join("\n");
    assert.ok(
      all.includes('"level":"trace"'),
      "trace logging was on (the scan below is meaningful)",
    );
    assert.ok(!all.includes(sys.secret), "the token secret never appears");
    assert.ok(!all.includes(wrong), "nor a wrong secret");
    assert.ok(!all.includes("PVEAPIToken="), "nor the Authorization header");
  });

  test("doctor – every check passes, in text and --json", async () => {
    const d = await both(["doctor"]);
    assert.match(d.text, /^✓ TLS: .*certificate matches the pinned SHA-256 fingerprint$/m);
    assert.match(d.text, /^✓ privileges: all \d+ API operations permitted on node pve$/m);
    assert.match(d.text, /^✓ root helper: .*felhom-root-helper v1, 6 methods$/m);
    assert.match(d.text, /^all checks passed$/m);
    assert.equal(d.data.ok, true);
    assert.ok(d.data.results.every((r: { status: string }) => r.status === "pass"));
  });

  test("doctor – no root helper: the API checks pass, the helper check fails with a fix hint, exit 1", async () => {
    const config = await sys.writeConfig("doctor-nohelper.json", (c) => ({
      ...c,
      helper: { socket: join(sys.dir, "absent.sock") },
    }));
    const io = memoryIo({});
    const code = await runCli(["--config", config, "--token-file", sys.tokenFile, "doctor"], io);
    assert.equal(code, 1);
    assert.match(io.out(), /^✓ privileges: all \d+ API operations permitted on node pve$/m);
    assert.match(
      io.out(),
      /^✗ root helper: .*absent\.sock: HELPER_CONNECT_FAILED: .*ENOENT\n {4}fix: is the helper socket active \(systemctl enable --now felhom-root-helper\.socket\)/m,
    );
    assert.match(io.err(), /^felhom: doctor: 1 check\(s\) failed$/m);
  });
});
