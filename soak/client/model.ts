// The workload's view of the node, refreshed from the simulator between operations: which guests are running,
// their snapshots, the backup archives to restore from, and the scratch vmids restores go to (reaped after use).
import type { RemoteSim } from "./sim-remote.js";
import type { SimGuest } from "./sim-protocol.js";

export interface Target {
  vmid: number;
  kind: "lxc" | "qemu";
}

/** The guests every operation except restore works on: the sample's two CTs and two VMs, plus restored CTs. */
export const SAMPLE_TARGETS: readonly Target[] = [
  { vmid: 100, kind: "lxc" },
  { vmid: 101, kind: "lxc" },
  { vmid: 200, kind: "qemu" },
  { vmid: 201, kind: "qemu" },
];
/** Containers the set-up phase restores (faults off) so that eight workers have enough guests to share. */
export const SETUP_RESTORES: readonly number[] = [110, 111, 112, 113];
export const SCRATCH_FIRST = 5000;

export class Model {
  readonly targets: Target[] = [
    ...SAMPLE_TARGETS,
    ...SETUP_RESTORES.map((vmid) => ({ vmid, kind: "lxc" as const })),
  ];
  guests = new Map<number, SimGuest>();
  archives: string[] = [];
  /** Snapshots a deleteSnapshot was already issued for ("vmid/name"); never deleted twice. */
  readonly deleting = new Set<string>();
  readonly scratch = new Map<number, "free" | "restoring" | "used">();
  reaped = 0;
  prunedBackups = 0;

  constructor(scratchSize: number) {
    for (let i = 0; i < scratchSize; i++) this.scratch.set(SCRATCH_FIRST + i, "free");
  }

  /** Re-reads guests and archives, reaps used scratch guests, keeps the archive list short. */
  async refresh(sim: RemoteSim): Promise<void> {
    this.prunedBackups += await sim.pruneBackups(40);
    const [guests, backups] = await Promise.all([sim.guests(), sim.backups()]);
    this.guests = new Map(guests.map((g) => [g.vmid, g]));
    this.archives = backups
      .filter((b) => b.type === "lxc" && b.vmid < SCRATCH_FIRST)
      .map((b) => b.volid);
    for (const [vmid, state] of this.scratch) {
      if (state !== "used") continue;
      const r = await sim.reap(vmid);
      if (r !== "busy") this.scratch.set(vmid, "free");
      if (r === "removed") this.reaped++;
    }
  }

  status(t: Target): "running" | "stopped" | undefined {
    return this.guests.get(t.vmid)?.status;
  }

  snapshotsOf(t: Target): string[] {
    const names = this.guests.get(t.vmid)?.snapshots ?? [];
    return names.filter((s) => s !== "current" && !this.deleting.has(`${t.vmid}/${s}`));
  }
}
