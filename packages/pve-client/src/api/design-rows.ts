// The DESIGN section 1 rows of the API backend, one constant: every routed operation names its row from here.

/** DESIGN section 1 rows of the API backend (the agent checks them against its routing table). */
export const ROW = {
  node: "node status, resources, metrics (rrddata)",
  guests: "list guests (lxc + qemu), per-guest status and config",
  storage: "storage list, storage content",
  tasks: "task status, task log",
  restore: "restore LXC from archive (the PRIMARY create path)",
  backup: "vzdump backup, stop / snapshot mode",
  snapshots: "snapshot, rollback, delete snapshot",
  config: "set config: memory, cores, net, options, mount points",
  power: "start, stop, shutdown guest",
} as const;
