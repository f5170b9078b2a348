// The /_sim admin endpoint: secret required; faults, recorded requests, tasks, guests, tokens, durations.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, taskDurationMs: 20 })));
after(() => sim.close());

function admin(
  method: string,
  path: string,
  body?: unknown,
  secret = sim.adminSecret,
): Promise<{ status: number; json: unknown }> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      {
        method,
        ca: sim.ca,
        agent: false,
        headers: {
          Authorization: `PVESimAdmin ${secret}`,
          ...(data ? { "Content-Type": "application/json", "Content-Length": data.length } : {}),
        },
      },
      (res) => {
        let raw = "";
        res.on("data", (c: Buffer) => (raw += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: raw ? JSON.parse(raw) : undefined }),
        );
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

test("admin – refuses without the secret", async () => {
  assert.equal((await admin("GET", "/_sim/requests", undefined, "wrong")).status, 403);
  const apiToken = await call(sim, "GET", "/requests", undefined, { prefix: "/_sim" });
  assert.equal(apiToken.status, 403, "an API token is not the admin secret");
});

test("admin – faults added over HTTP apply and can be cleared", async () => {
  const add = await admin("POST", "/_sim/faults", {
    method: "GET",
    pathRegex: "^/version$",
    times: 2,
    kind: { type: "status", status: 599, bodyless: true },
  });
  assert.equal(add.status, 200);
  assert.equal((await call(sim, "GET", "/version")).status, 599);
  const hits = await admin("GET", `/_sim/faults/${(add.json as { id: number }).id}`);
  assert.deepEqual(hits.json, { hits: 1 });
  await admin("DELETE", "/_sim/faults");
  assert.equal((await call(sim, "GET", "/version")).status, 200);
  const bad = await admin("POST", "/_sim/faults", { kind: { type: "explode" } });
  assert.equal(bad.status, 400);
});

test("admin – recorded requests never contain the secret and show mutating/applied", async () => {
  await call(sim, "PUT", "/nodes/pve/lxc/101/config", { description: "x" });
  const r = await admin("GET", "/_sim/requests");
  const recs = r.json as Array<Record<string, unknown>>;
  const put = recs.find((x) => x.method === "PUT");
  assert.deepEqual(
    {
      path: put?.path,
      mutating: put?.mutating,
      applied: put?.applied,
      status: put?.status,
      authid: put?.authid,
    },
    {
      path: "/nodes/pve/lxc/101/config",
      mutating: true,
      applied: true,
      status: 200,
      authid: "root@pam!pve-sim",
    },
  );
  assert.ok(!JSON.stringify(recs).includes(sim.token.secret));
  await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 180,
    ostemplate: "local:vztmpl/missing.tar.zst",
    storage: "local-lvm",
    password: "hunter2-secret",
  });
  assert.ok(
    !JSON.stringify(sim.requests).includes("hunter2-secret"),
    "guest passwords are not recorded",
  );
  const since = await admin("GET", `/_sim/requests?since=${String(put?.seq)}`);
  assert.ok(
    (since.json as unknown[]).every((x) => Number((x as { seq: number }).seq) > Number(put?.seq)),
  );
});

test("admin – guests, tokens, durations and tasks from another process", async () => {
  const g = await admin("POST", "/_sim/guests", {
    vmid: 4000,
    type: "lxc",
    status: "stopped",
    config: {
      hostname: "golden",
      memory: 512,
      rootfs: "local-lvm:vm-4000-disk-0,size=4G",
      unprivileged: 1,
      features: "keyctl=1,nesting=1",
    },
  });
  assert.equal(g.status, 200);
  assert.ok(sim.state.findVolume("local-lvm:vm-4000-disk-0"), "its volume is registered");
  const tok = await admin("POST", "/_sim/tokens", {
    id: "auto@pve!ci",
    privsep: true,
    acl: [{ path: "/vms/4000", privs: ["VM.Audit"] }],
  });
  const value = (tok.json as { value: string }).value;
  assert.equal(
    (await call(sim, "GET", "/nodes/pve/lxc/4000/config", undefined, { token: value })).status,
    200,
  );
  assert.deepEqual((await admin("POST", "/_sim/durations", { vzstart: 5 })).json, { vzstart: 5 });
  const start = await call(sim, "POST", "/nodes/pve/lxc/4000/status/start");
  await sim.state.tasks.wait(String(start.data));
  const tasks = (await admin("GET", "/_sim/tasks")).json as Array<{
    upid: string;
    exitstatus?: string;
  }>;
  assert.equal(tasks.find((t) => t.upid === start.data)?.exitstatus, "OK");
});
