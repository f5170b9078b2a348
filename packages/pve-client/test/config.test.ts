// Property strings and guest configs: parsing PVE's strings into typed maps, and encoding changes safely
// (mount points must state backup=, no value can inject another key).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  PveArgumentError,
  formatPropertyString,
  ops,
  parsePropertyString,
} from "@felhom/pve-client";
import { toLxcConfig, toQemuConfig } from "../src/schemas/guest-config.js";

test("parsePropertyString – reads keys, a leading default-key value and quoted commas", () => {
  assert.deepEqual(parsePropertyString("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp"), {
    name: "eth0",
    bridge: "vmbr0",
    hwaddr: "BC:24:11:00:00:01",
    ip: "dhcp",
  });
  assert.deepEqual(
    parsePropertyString("local-lvm:vm-100-disk-1,mp=/data,backup=0,size=8G", "volume"),
    {
      volume: "local-lvm:vm-100-disk-1",
      mp: "/data",
      backup: "0",
      size: "8G",
    },
  );
  assert.deepEqual(parsePropertyString('a="x,y",b=2'), { a: "x,y", b: "2" });
});

test("formatPropertyString – writes the default key bare and refuses injected structure", () => {
  assert.equal(
    formatPropertyString({ volume: "tank:subvol-1", mp: "/srv", backup: false }, "volume"),
    "tank:subvol-1,mp=/srv,backup=0",
  );
  for (const bad of ["/srv,backup=1", 'x"y', "a=b", "two words"]) {
    assert.throws(
      () => formatPropertyString({ volume: "v", mp: bad }, "volume"),
      PveArgumentError,
      bad,
    );
  }
});

test("toLxcConfig – collects netN/mpN/unusedN into maps and normalises values", () => {
  const c = toLxcConfig({
    hostname: "web",
    memory: "2048",
    cores: 2,
    onboot: 1,
    unprivileged: "1",
    tags: "a;b",
    digest: "abc",
    features: "nesting=1,keyctl=1",
    rootfs: "local-lvm:vm-100-disk-0,size=8G",
    net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,firewall=1,tag=10",
    net3: "name=eth3,bridge=vmbr1,ip=10.0.0.2/24,gw=10.0.0.1",
    mp0: "local-lvm:vm-100-disk-1,mp=/data,backup=0,size=8G",
    mp7: "/mnt/bulk,mp=/bulk,backup=1,ro=1,mountoptions=noatime;nodev",
    unused2: "local-lvm:vm-100-disk-9",
    lxc: [["lxc.apparmor.profile", "unconfined"]],
  });
  assert.equal(c.kind, "lxc");
  assert.equal(c.memory, 2048);
  assert.equal(c.onboot, true);
  assert.equal(c.unprivileged, true);
  assert.deepEqual(c.tags, ["a", "b"]);
  assert.deepEqual(c.features, { nesting: true, keyctl: true });
  assert.deepEqual(c.rootfs, { volume: "local-lvm:vm-100-disk-0", size: "8G" });
  assert.deepEqual(Object.keys(c.net), ["0", "3"]);
  assert.deepEqual(c.net[0], {
    name: "eth0",
    bridge: "vmbr0",
    hwaddr: "BC:24:11:00:00:01",
    ip: "dhcp",
    firewall: true,
    tag: 10,
  });
  assert.equal(c.net[3]?.gw, "10.0.0.1");
  assert.deepEqual(c.mp[0], {
    volume: "local-lvm:vm-100-disk-1",
    mp: "/data",
    backup: false,
    size: "8G",
  });
  assert.deepEqual(c.mp[7]?.mountoptions, ["noatime", "nodev"]);
  assert.equal(c.mp[7]?.ro, true);
  assert.deepEqual(c.unused[2], { volume: "local-lvm:vm-100-disk-9" });
  assert.deepEqual(c.raw["lxc"], [["lxc.apparmor.profile", "unconfined"]]);
});

test("toQemuConfig – reads model=MAC network devices, disks by key and memory property strings", () => {
  const c = toQemuConfig({
    name: "vm1",
    memory: "current=4096",
    agent: "1,freeze-fs=0",
    net0: "virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1",
    net1: "model=e1000,macaddr=BC:24:11:AA:BB:CD,bridge=vmbr1,tag=5",
    scsi0: "local-lvm:vm-200-disk-0,iothread=1,size=32G",
    efidisk0: "local-lvm:vm-200-disk-1,efitype=4m,size=4M",
    ide2: "none,media=cdrom",
    unused0: "local-lvm:vm-200-disk-5",
  });
  assert.equal(c.memory, 4096);
  assert.equal(c.agent?.enabled, true);
  assert.deepEqual(c.net[0], {
    model: "virtio",
    macaddr: "BC:24:11:AA:BB:CC",
    bridge: "vmbr0",
    firewall: true,
  });
  assert.deepEqual(c.net[1], {
    model: "e1000",
    macaddr: "BC:24:11:AA:BB:CD",
    bridge: "vmbr1",
    tag: 5,
  });
  assert.deepEqual(c.disks["scsi0"], {
    volume: "local-lvm:vm-200-disk-0",
    iothread: true,
    size: "32G",
  });
  assert.equal(c.disks["ide2"]?.media, "cdrom");
  assert.ok(c.disks["efidisk0"]);
  assert.deepEqual(c.unused[0], { volume: "local-lvm:vm-200-disk-5" });
});

test("setConfig encoding – mount points need an explicit backup flag; null deletes", () => {
  const req = ops.setConfig("pve", "lxc", 100, {
    memory: 1024,
    onboot: true,
    net: { 0: { name: "eth0", bridge: "vmbr0", ip: "dhcp" }, 1: null },
    mp: { 0: { volume: "tank:subvol-100-disk-1", mp: "/bulk", backup: false }, 2: null },
  });
  assert.equal(req.method, "PUT");
  assert.equal(req.path, "/nodes/pve/lxc/100/config");
  assert.deepEqual(req.params, {
    memory: "1024",
    onboot: "1",
    net0: "name=eth0,bridge=vmbr0,ip=dhcp",
    mp0: "tank:subvol-100-disk-1,mp=/bulk,backup=0",
    delete: "net1,mp2",
  });
  assert.throws(
    () =>
      // @ts-expect-error backup is required by the type as well
      ops.setConfig("pve", "lxc", 100, {
        mp: { 0: { volume: "tank:subvol-100-disk-1", mp: "/bulk" } },
      }),
    PveArgumentError,
  );
  assert.throws(() => ops.setConfig("pve", "lxc", 100, {}), PveArgumentError);
});

test("setConfig encoding – QEMU network devices use PVE's model=MAC form", () => {
  const req = ops.setConfig("pve", "qemu", 200, {
    cores: 4,
    net: {
      0: { model: "virtio", bridge: "vmbr0", macaddr: "BC:24:11:00:00:02" },
      1: { model: "e1000", bridge: "vmbr1" },
    },
  });
  assert.equal(req.method, "POST");
  assert.equal(req.params["net0"], "virtio=BC:24:11:00:00:02,bridge=vmbr0");
  assert.equal(req.params["net1"], "e1000,bridge=vmbr1");
});

test("restore encoding – a new identity sends unique=1 and the hostname, never start", () => {
  const req = ops.restore("pve", {
    vmid: 201,
    archive: "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst",
    storage: "local-lvm",
    newIdentity: { hostname: "web-restored" },
  });
  assert.deepEqual(req.params, {
    vmid: "201",
    ostemplate: "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst",
    restore: "1",
    storage: "local-lvm",
    unique: "1",
    hostname: "web-restored",
  });
  assert.equal(req.guest?.vmid, 201);
  assert.throws(
    () => ops.restore("pve", { vmid: 99, archive: "local:x", storage: "s1" }),
    PveArgumentError,
  );
});
