// Sample data of a fresh PVE 9.1 node in use: local (dir: backup, iso, vztmpl) and local-lvm (LVM-thin: images,
// rootdir), three containers (one a template), two VMs, templates to create from, backups to restore from,
// and some task history. `extraGuests` adds synthetic guests for the large-list benchmarks.
import type { Prng } from "../prng.js";
import { printPropertyString } from "../schema/property-string.js";
import type { GuestConfig, NodeInfo, StorageRecord, VolumeRecord } from "./model.js";
import { GIB, MIB } from "./model.js";
import { addHistory } from "./sample-history.js";
import { archiveStamp } from "./sizes.js";
import type { SimState } from "./state.js";

export function sampleNode(name: string, nowMs: number, prng: Prng): NodeInfo {
  return {
    name,
    bootMs: nowMs - (3 * 86_400 + prng.int(0, 7200)) * 1000,
    cpuModel: "AMD Ryzen 7 5700G with Radeon Graphics",
    cores: 8,
    cpus: 16,
    sockets: 1,
    memTotal: 64 * GIB,
    rootfsTotal: 100 * GIB,
    kernelRelease: "6.17.2-1-pve",
    kernelVersion: "#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-11-12T09:22Z)",
    pveVersion: "9.1.4",
    release: "9.1",
    repoid: "5a1c9e4d7b3f2a60",
  };
}

function storages(): StorageRecord[] {
  return [
    {
      id: "local",
      type: "dir",
      content: ["backup", "iso", "vztmpl"],
      path: "/var/lib/vz",
      total: 94 * GIB,
      volumes: new Map(),
    },
    {
      id: "local-lvm",
      type: "lvmthin",
      content: ["images", "rootdir"],
      vgname: "pve",
      thinpool: "data",
      total: 794 * GIB,
      volumes: new Map(),
    },
  ];
}

export const lxcNet = (prng: Prng, extra: Record<string, string> = {}): string =>
  printPropertyString(
    {
      name: "eth0",
      bridge: "vmbr0",
      firewall: "1",
      hwaddr: prng.mac(),
      ip: "dhcp",
      type: "veth",
      ...extra,
    },
    { first: ["name"] },
  );

/** The configuration of CT 100 as its backup recorded it (and as it still is). */
function webConfig(prng: Prng): GuestConfig {
  return {
    arch: "amd64",
    cores: 2,
    features: "keyctl=1,nesting=1",
    hostname: "web",
    memory: 2048,
    mp0: "local-lvm:vm-100-disk-1,mp=/srv/data,backup=0,size=32G",
    net0: lxcNet(prng),
    onboot: 1,
    ostype: "debian",
    rootfs: "local-lvm:vm-100-disk-0,size=8G",
    swap: 512,
    tags: "prod",
    unprivileged: 1,
  };
}

function backupVolume(
  volid: string,
  vmid: number,
  guestType: "lxc" | "qemu",
  ctime: number,
  config: GuestConfig,
  included: string[],
  excluded: Array<{ key: string; reason: string }>,
  size: number,
): VolumeRecord {
  return {
    volid,
    content: "backup",
    format: guestType === "lxc" ? "tar.zst" : "vma.zst",
    size,
    ctime,
    vmid,
    subtype: guestType,
    notes: String(config.hostname ?? config.name ?? ""),
    backup: { guestType, vmid, mode: "snapshot", config: { ...config }, included, excluded },
  };
}

export function loadSampleData(state: SimState, prng: Prng): void {
  const now = state.clock.now();
  const nowSec = Math.floor(now / 1000);
  for (const s of storages()) state.storages.set(s.id, s);
  const local = state.storages.get("local");
  if (!local) return;
  const add = (v: VolumeRecord): void => void local.volumes.set(v.volid, v);
  add({
    volid: "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
    content: "vztmpl",
    format: "tzst",
    size: 126 * MIB + 4_123_456,
    ctime: nowSec - 40 * 86_400,
  });
  add({
    volid: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
    content: "vztmpl",
    format: "tzst",
    size: 131 * MIB + 2_345_678,
    ctime: nowSec - 20 * 86_400,
  });
  add({
    volid: "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz",
    content: "vztmpl",
    format: "txz",
    size: 3 * MIB + 512_000,
    ctime: nowSec - 30 * 86_400,
  });
  add({
    volid: "local:iso/debian-13.1.0-amd64-netinst.iso",
    content: "iso",
    format: "iso",
    size: 754 * MIB,
    ctime: nowSec - 25 * 86_400,
  });

  const web = webConfig(prng);
  const backupMs = now - 7 * 3_600_000;
  add(
    backupVolume(
      `local:backup/vzdump-lxc-100-${archiveStamp(backupMs)}.tar.zst`,
      100,
      "lxc",
      Math.floor(backupMs / 1000),
      web,
      ["rootfs"],
      [{ key: "mp0", reason: "disabled" }],
      412 * MIB + 77_123,
    ),
  );
  const legacyMs = now - 9 * 86_400_000;
  const legacy: GuestConfig = {
    arch: "amd64",
    cores: 1,
    hostname: "legacy-app",
    memory: 512,
    net0: lxcNet(prng, { ip: "192.168.1.50/24", gw: "192.168.1.1" }),
    ostype: "ubuntu",
    rootfs: "local-lvm:vm-102-disk-0,size=8G",
    swap: 512,
  };
  add(
    backupVolume(
      `local:backup/vzdump-lxc-102-${archiveStamp(legacyMs)}.tar.zst`,
      102,
      "lxc",
      Math.floor(legacyMs / 1000),
      legacy,
      ["rootfs"],
      [],
      698 * MIB + 12_345,
    ),
  );

  state.addGuest({ vmid: 100, type: "lxc", status: "running", config: web });
  state.addGuest({
    vmid: 101,
    type: "lxc",
    status: "stopped",
    config: {
      arch: "amd64",
      cores: 1,
      features: "nesting=1",
      hostname: "db",
      memory: 1024,
      net0: lxcNet(prng),
      ostype: "debian",
      parent: "before-upgrade",
      rootfs: "local-lvm:vm-101-disk-0,size=4G",
      swap: 512,
      unprivileged: 1,
    },
    snapshots: [
      {
        name: "before-upgrade",
        snaptime: nowSec - 2 * 86_400,
        description: "before apt full-upgrade",
        config: {
          arch: "amd64",
          cores: 1,
          features: "nesting=1",
          hostname: "db",
          memory: 1024,
          ostype: "debian",
          rootfs: "local-lvm:vm-101-disk-0,size=4G",
          swap: 512,
          unprivileged: 1,
        },
      },
    ],
  });
  state.addGuest({
    vmid: 900,
    type: "lxc",
    config: {
      arch: "amd64",
      cores: 1,
      hostname: "debian-golden",
      memory: 512,
      net0: lxcNet(prng),
      ostype: "debian",
      rootfs: "local-lvm:base-900-disk-0,size=4G",
      swap: 512,
      template: 1,
      unprivileged: 1,
    },
  });
  const vmConfig = (name: string, extra: GuestConfig): GuestConfig => ({
    boot: "order=scsi0;ide2;net0",
    cores: 2,
    cpu: "x86-64-v2-AES",
    ide2: "none,media=cdrom",
    memory: "4096",
    meta: `creation-qemu=10.1.2,ctime=${nowSec - 60 * 86_400}`,
    name,
    net0: `virtio=${prng.mac()},bridge=vmbr0,firewall=1`,
    numa: 0,
    ostype: "l26",
    scsihw: "virtio-scsi-single",
    smbios1: `uuid=${prng.uuid()}`,
    sockets: 1,
    vmgenid: prng.uuid(),
    ...extra,
  });
  state.addGuest({
    vmid: 200,
    type: "qemu",
    status: "running",
    config: vmConfig("homeassistant", {
      agent: "1",
      onboot: 1,
      scsi0: "local-lvm:vm-200-disk-0,iothread=1,size=32G",
    }),
  });
  state.addGuest({
    vmid: 201,
    type: "qemu",
    config: vmConfig("win11", {
      bios: "ovmf",
      cores: 4,
      memory: "8192",
      ostype: "win11",
      scsi0: "local-lvm:vm-201-disk-1,iothread=1,size=64G",
      efidisk0: "local-lvm:vm-201-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M",
    }),
  });
  addHistory(state, now);
}
