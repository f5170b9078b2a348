// GET /cluster/resources items. The hot path of the client (10,000 guests on a big host): the list the
// record parser's figures (record.ts) and the bench's 2x target are measured on.
import { listOf, record, t, type Infer } from "./record.js";

export const RESOURCE_TYPES = [
  "node",
  "storage",
  "pool",
  "qemu",
  "lxc",
  "openvz",
  "sdn",
  "network",
] as const;
/** Resource type: the known ones, or whatever newer PVE adds. */
export type ResourceType = (typeof RESOURCE_TYPES)[number] | (string & {});

const spec = {
  id: t.string,
  type: t.string as typeof t.string & { readonly _type?: ResourceType },
  node: t.opt.string,
  status: t.opt.string,
  name: t.opt.string,
  vmid: t.opt.number,
  pool: t.opt.string,
  tags: t.opt.list,
  template: t.opt.boolean,
  lock: t.opt.string,
  hastate: t.opt.string,
  cpu: t.opt.number,
  maxcpu: t.opt.number,
  mem: t.opt.number,
  maxmem: t.opt.number,
  memhost: t.opt.number,
  disk: t.opt.number,
  maxdisk: t.opt.number,
  diskread: t.opt.number,
  diskwrite: t.opt.number,
  netin: t.opt.number,
  netout: t.opt.number,
  uptime: t.opt.number,
  storage: t.opt.string,
  plugintype: t.opt.string,
  content: t.opt.list,
  shared: t.opt.boolean,
  level: t.opt.string,
  "cgroup-mode": t.opt.number,
  "host-arch": t.opt.string,
  sdn: t.opt.string,
  network: t.opt.string,
  "network-type": t.opt.string,
  "zone-type": t.opt.string,
  protocol: t.opt.string,
};

/** One row of /cluster/resources, values normalised (numbers, booleans, `tags`/`content` as lists). */
export type ClusterResource = Infer<typeof spec>;

export const parseClusterResources = listOf(record(spec));
