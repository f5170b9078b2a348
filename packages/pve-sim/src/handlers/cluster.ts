// Cluster-level reads: /version, /access/permissions, /cluster/resources, /nodes and /storage.
import type { SimCore } from "../core.js";
import { resourceEntry } from "../state/guest-view.js";
import { nodeUsage } from "./node-usage.js";
import { storageSummary } from "./storage.js";
import type { ApiRequest, ApiResult, Handler } from "./types.js";
import { str } from "./types.js";

const version: Handler = ({ core }) => {
  const n = core.state.node;
  return { data: { release: n.release, repoid: n.repoid, version: n.pveVersion } };
};

const permissions: Handler = ({ core, authid, params }: ApiRequest) => {
  const access = core.state.access;
  const userid = str(params.userid) ?? authid;
  const owned = access.ownerOf(userid) === authid && userid !== authid;
  if (userid !== authid && !owned) access.check(authid, "/access", ["Sys.Audit"]);
  const path = str(params.path);
  if (path) return { data: { [path]: access.permissions(userid, path) } };
  return { data: access.effectivePermissions(userid) };
};

/** The node's entry as PVE's extract_node_stats makes it: usage figures only for those with Sys.Audit on it. */
function nodeEntry(core: SimCore, authid: string): Record<string, unknown> {
  const node = core.state.node;
  const entry: Record<string, unknown> = {
    id: `node/${node.name}`,
    type: "node",
    node: node.name,
    status: "online",
  };
  if (core.state.access.check(authid, `/nodes/${node.name}`, ["Sys.Audit"], true)) {
    const u = nodeUsage(core);
    Object.assign(entry, {
      cpu: u.cpu,
      maxcpu: node.cpus,
      mem: u.memUsed,
      maxmem: node.memTotal,
      disk: u.rootUsed,
      maxdisk: node.rootfsTotal,
      uptime: u.uptime,
      level: "",
    });
  }
  return entry;
}

/** GET /nodes: the cluster's node index (one node here), each with its certificate's fingerprint. */
const nodes: Handler = ({ core, authid }) => ({
  data: [{ ...nodeEntry(core, authid), ssl_fingerprint: core.certFingerprint }],
});

function buildResources(core: SimCore, authid: string, type: string | undefined): unknown[] {
  const { state, clock } = core;
  const now = clock.now();
  const node = state.node;
  const access = state.access;
  const out: unknown[] = [];
  if (!type || type === "vm") {
    const ids = [...state.guests.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const g = state.guests.get(id);
      if (g && access.check(authid, `/vms/${id}`, ["VM.Audit"], true))
        out.push(resourceEntry(g, node.name, now, node.cpus));
    }
  }
  if (!type || type === "node") {
    const entry = nodeEntry(core, authid);
    if ("cpu" in entry) entry["cgroup-mode"] = 2;
    out.push(entry);
  }
  if (!type || type === "storage") {
    for (const s of state.storages.values()) {
      if (
        !access.checkAny(
          authid,
          `/storage/${s.id}`,
          ["Datastore.Audit", "Datastore.AllocateSpace"],
          true,
        )
      )
        continue;
      const sum = storageSummary(state, s);
      out.push({
        id: `storage/${node.name}/${s.id}`,
        type: "storage",
        storage: s.id,
        node: node.name,
        status: "available",
        content: sum.content,
        plugintype: s.type,
        shared: 0,
        disk: sum.used,
        maxdisk: sum.total,
      });
    }
  }
  if (
    (!type || type === "sdn") &&
    access.check(authid, "/sdn/zones/localnetwork", ["SDN.Audit"], true)
  ) {
    out.push({
      id: `sdn/${node.name}/localnetwork`,
      type: "sdn",
      sdn: "localnetwork",
      node: node.name,
      status: "ok",
    });
  }
  return out;
}

const resources: Handler = (req: ApiRequest): ApiResult => {
  const { core, authid, params } = req;
  const type = str(params.type);
  if (core.options.validateResponses) return { data: buildResources(core, authid, type) };
  const key = `resources|${authid}|${type ?? ""}|${Math.floor(core.clock.now() / 1000)}`;
  const hit = core.cache.get(key, core.state.version);
  if (hit) return { cached: hit };
  const body = Buffer.from(JSON.stringify({ data: buildResources(core, authid, type) }));
  return { cached: core.cache.set(key, core.state.version, body) };
};

const storageIndex: Handler = ({ core, authid, params }) => {
  const type = str(params.type);
  const data = [...core.state.storages.values()]
    .filter((s) => !type || s.type === type)
    .filter((s) =>
      core.state.access.checkAny(
        authid,
        `/storage/${s.id}`,
        ["Datastore.Audit", "Datastore.AllocateSpace"],
        true,
      ),
    )
    .map((s) => {
      const entry: Record<string, unknown> = {
        content: [...s.content].sort().join(","),
        digest: "a3f4c1b2e5d6978812ab34cd56ef7890a1b2c3d4",
        storage: s.id,
        type: s.type,
      };
      if (s.path) entry.path = s.path;
      if (s.thinpool) entry.thinpool = s.thinpool;
      if (s.vgname) entry.vgname = s.vgname;
      if (s.type === "dir") entry["prune-backups"] = "keep-all=1";
      return entry;
    });
  return { data };
};

export const clusterHandlers: Record<string, Handler> = {
  "GET /version": version,
  "GET /access/permissions": permissions,
  "GET /cluster/resources": resources,
  "GET /nodes": nodes,
  "GET /storage": storageIndex,
};
