// The simulated node's live state: guests, storages and their volumes, tasks, users/tokens, config locks, and a
// version counter that response caches key on. Tests inspect and change it directly (`sim.state`).
import { AccessControl } from "../auth/access.js";
import type { SimClock } from "../clock.js";
import { SimError } from "../errors.js";
import type { Prng } from "../prng.js";
import { FlockTable } from "../tasks/flock.js";
import { TaskManager } from "../tasks/manager.js";
import { parseMountPoint, parseQemuDisk, VOLID_RE, volumeKeys } from "./guest-config.js";
import type {
  ContentType,
  GuestConfig,
  GuestRecord,
  GuestType,
  NodeInfo,
  SnapshotRecord,
  StorageRecord,
  VolumeRecord,
} from "./model.js";
import { parseSize } from "./sizes.js";

export interface AddGuestSpec {
  vmid: number;
  type: GuestType;
  status?: "running" | "stopped";
  config: GuestConfig;
  snapshots?: SnapshotRecord[];
  /** Register the volumes the config names on known storages if they are missing (default true). */
  registerVolumes?: boolean;
}

export interface SimStateDeps {
  clock: SimClock;
  prng: Prng;
  node: NodeInfo;
  earlyNoSuchTaskMs: number;
  taskDurationMs: number;
}

export class SimState {
  readonly node: NodeInfo;
  readonly guests = new Map<number, GuestRecord>();
  readonly storages = new Map<string, StorageRecord>();
  readonly flocks: FlockTable;
  readonly tasks: TaskManager;
  readonly access: AccessControl;
  /** Bumped on every change; response caches compare it. */
  version = 0;

  private readonly deps: SimStateDeps;

  constructor(deps: SimStateDeps) {
    this.deps = deps;
    this.node = deps.node;
    this.flocks = new FlockTable(deps.clock);
    this.access = new AccessControl(deps.prng);
    this.tasks = new TaskManager({
      clock: deps.clock,
      prng: deps.prng,
      flocks: this.flocks,
      node: () => this.node.name,
      bootMs: deps.node.bootMs,
      earlyNoSuchTaskMs: deps.earlyNoSuchTaskMs,
      defaultDurationMs: deps.taskDurationMs,
      onChange: () => this.changed(),
    });
  }

  get clock(): SimClock {
    return this.deps.clock;
  }

  changed(): void {
    this.version++;
  }

  guest(vmid: number): GuestRecord | undefined {
    return this.guests.get(vmid);
  }

  addGuest(spec: AddGuestSpec): GuestRecord {
    if (!Number.isInteger(spec.vmid) || spec.vmid < 100 || spec.vmid > 999_999_999)
      throw new SimError("SIM_INVALID_OPTION", `invalid vmid ${spec.vmid}`);
    if (this.guests.has(spec.vmid))
      throw new SimError("SIM_INVALID_STATE", `guest ${spec.vmid} exists`);
    const { prng, clock } = this.deps;
    const guest: GuestRecord = {
      vmid: spec.vmid,
      type: spec.type,
      status: spec.status ?? "stopped",
      config: { ...spec.config },
      snapshots: new Map((spec.snapshots ?? []).map((s) => [s.name, s])),
      load: {
        cpu: 0.002 + prng.next() * 0.05,
        memFraction: 0.15 + prng.next() * 0.5,
        diskFraction: 0.1 + prng.next() * 0.5,
        netRate: 200 + prng.int(0, 20_000),
        ioRate: 1000 + prng.int(0, 200_000),
      },
    };
    if (guest.status === "running") guest.startedAtMs = clock.now() - prng.int(600, 400_000) * 1000;
    this.guests.set(spec.vmid, guest);
    if (spec.registerVolumes ?? true) this.registerGuestVolumes(guest);
    this.changed();
    return guest;
  }

  removeGuest(vmid: number): boolean {
    const ok = this.guests.delete(vmid);
    if (ok) this.changed();
    return ok;
  }

  private registerGuestVolumes(guest: GuestRecord): void {
    for (const key of volumeKeys(guest.type, guest.config)) {
      const raw = String(guest.config[key]);
      const { volume, size } =
        guest.type === "lxc"
          ? parseMountPoint(raw)
          : { volume: parseQemuDisk(raw).volume, size: parseQemuDisk(raw).options.size };
      const m = VOLID_RE.exec(volume);
      const storage = m ? this.storages.get(m[1] ?? "") : undefined;
      if (!storage || storage.volumes.has(volume)) continue;
      storage.volumes.set(volume, {
        volid: volume,
        content: guest.type === "lxc" ? "rootdir" : "images",
        format: "raw",
        size: parseSize(size ?? "") ?? 4 * 1024 ** 3,
        ctime: Math.floor(this.deps.clock.now() / 1000),
        vmid: guest.vmid,
      });
    }
  }

  findVolume(volid: string): { storage: StorageRecord; volume: VolumeRecord } | undefined {
    const m = VOLID_RE.exec(volid);
    const storage = m ? this.storages.get(m[1] ?? "") : undefined;
    const volume = storage?.volumes.get(volid);
    return storage && volume ? { storage, volume } : undefined;
  }

  addVolume(storageId: string, volume: VolumeRecord): void {
    const storage = this.storages.get(storageId);
    if (!storage) throw new SimError("SIM_NOT_FOUND", `storage '${storageId}' does not exist`);
    storage.volumes.set(volume.volid, volume);
    this.changed();
  }

  removeVolume(volid: string): boolean {
    const found = this.findVolume(volid);
    if (!found) return false;
    found.storage.volumes.delete(volid);
    this.changed();
    return true;
  }

  /** Allocates the next free "vm-VMID-disk-N" on an LVM-thin storage (or "VMID/vm-VMID-disk-N.raw" on dir). */
  allocateVolume(storageId: string, vmid: number, sizeBytes: number, content: ContentType): string {
    const storage = this.storages.get(storageId);
    if (!storage) throw new SimError("SIM_NOT_FOUND", `storage '${storageId}' does not exist`);
    for (let n = 0; ; n++) {
      const name =
        storage.type === "dir" ? `${vmid}/vm-${vmid}-disk-${n}.raw` : `vm-${vmid}-disk-${n}`;
      const volid = `${storageId}:${name}`;
      if (storage.volumes.has(volid)) continue;
      this.addVolume(storageId, {
        volid,
        content,
        format: "raw",
        size: sizeBytes,
        ctime: Math.floor(this.deps.clock.now() / 1000),
        vmid,
      });
      return volid;
    }
  }

  /** Backup archives on all storages, oldest first, optionally of one guest. */
  backups(vmid?: number): VolumeRecord[] {
    const out: VolumeRecord[] = [];
    for (const s of this.storages.values())
      for (const v of s.volumes.values())
        if (v.content === "backup" && (vmid === undefined || v.vmid === vmid)) out.push(v);
    return out.sort((a, b) => a.ctime - b.ctime || a.volid.localeCompare(b.volid));
  }

  storageUsed(storage: StorageRecord): number {
    let used = 0;
    for (const v of storage.volumes.values())
      used +=
        v.content === "images" || v.content === "rootdir" ? Math.floor(v.size * 0.35) : v.size;
    return used;
  }
}
