// pveproxy's wire behaviour: envelope, status lines, bodyless errors, keep-alive vs close, both body encodings,
// query/body merging, the extjs format, gzip, and token authentication (401 texts).
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, validateResponses: true })));
after(() => sim.close());

test("envelope – success is {data}, keep-alive, PVE's headers", async () => {
  const r = await call(sim, "GET", "/version");
  assert.equal(r.status, 200);
  assert.equal(r.statusText, "OK");
  assert.deepEqual(Object.keys(r.json ?? {}), ["data"]);
  assert.equal(r.headers["content-type"], "application/json;charset=UTF-8");
  assert.equal(r.headers.server, "pve-api-daemon/3.0");
  assert.equal(r.headers.connection?.toString().toLowerCase(), "keep-alive");
  assert.equal(r.headers.pragma, "no-cache");
});

test("envelope – errors carry the message in the status line and in `message`, and close the connection", async () => {
  const r = await call(sim, "GET", "/nodes/pve/lxc/4242/status/current");
  assert.equal(r.status, 500);
  assert.equal(r.statusText, "Configuration file 'nodes/pve/lxc/4242.conf' does not exist");
  assert.deepEqual(r.json, {
    data: null,
    message: "Configuration file 'nodes/pve/lxc/4242.conf' does not exist\n",
  });
  assert.equal(r.headers.connection, "close");
});

test("envelope – unknown paths answer 501 Method not implemented; outside /api2 there is no JSON", async () => {
  const r = await call(sim, "GET", "/nodes/pve/lxc/100/clone");
  assert.equal(r.status, 501);
  assert.equal(r.statusText, "Method 'GET /nodes/pve/lxc/100/clone' not implemented");
  assert.equal(r.json?.message, "Method 'GET /nodes/pve/lxc/100/clone' not implemented");
  const p = await call(sim, "POST", "/version");
  assert.equal(p.statusText, "Method 'POST /version' not implemented");
  const outside = await call(sim, "GET", "/index.html", undefined, { prefix: "" });
  assert.equal(outside.status, 501);
  assert.equal(outside.raw, "");
  const noFormat = await call(sim, "GET", "", undefined, { prefix: "/api2" });
  assert.equal(noFormat.statusText, "no such uri");
  const html = await call(sim, "GET", "/version", undefined, { prefix: "/api2/html" });
  assert.equal(html.statusText, "no formatter for uri /version, html");
});

test("envelope – parameter errors are 400 with a per-parameter map", async () => {
  const r = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { memory: "lots", colour: "red" });
  assert.equal(r.status, 400);
  assert.equal(r.statusText, "Parameter verification failed.");
  assert.deepEqual(r.json, {
    data: null,
    errors: {
      memory: "type check ('integer') failed - got 'lots'",
      colour:
        "property is not defined in schema and the schema does not allow additional properties",
    },
    message: "Parameter verification failed.\n",
  });
});

test("bodies – form and JSON bodies are both accepted; the query string overrides the body", async () => {
  const form = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { description: "from form" });
  assert.equal(form.status, 200);
  assert.equal(form.data, null);
  const json = await call(
    sim,
    "PUT",
    "/nodes/pve/lxc/101/config",
    { description: "from json", onboot: true },
    { json: true },
  );
  assert.equal(json.status, 200);
  const cfg = await call(sim, "GET", "/nodes/pve/lxc/101/config");
  assert.equal((cfg.data as Record<string, unknown>).description, "from json");
  assert.equal((cfg.data as Record<string, unknown>).onboot, 1);
  const both = await call(sim, "PUT", "/nodes/pve/lxc/101/config?description=query", {
    description: "body",
  });
  assert.equal(both.status, 200);
  const after = await call(sim, "GET", "/nodes/pve/lxc/101/config");
  assert.equal((after.data as Record<string, unknown>).description, "query");
});

test("bodies – a path parameter repeated with another value is refused", async () => {
  const r = await call(sim, "GET", "/nodes/pve/lxc/100/status/current", { vmid: 101 });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json?.errors, {
    vmid: "duplicate parameter (already defined in URI) with conflicting values!",
  });
});

test("formats – /api2/extjs answers 200 with success and status fields", async () => {
  const ok = await call(sim, "GET", "/version", undefined, { prefix: "/api2/extjs" });
  assert.equal(ok.status, 200);
  assert.equal(ok.json?.success, 1);
  const bad = await call(sim, "GET", "/nodes/pve/lxc/4242/config", undefined, {
    prefix: "/api2/extjs",
  });
  assert.equal(bad.status, 200);
  assert.equal(bad.json?.success, 0);
  assert.equal(bad.json?.status, 500);
});

test("compression – large answers are gzipped when the client accepts it", async () => {
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = request(
      `${sim.url}/api2/json/nodes/pve/rrddata?timeframe=day`,
      {
        ca: sim.ca,
        agent: false,
        headers: { Authorization: `PVEAPIToken=${sim.token.value}`, "Accept-Encoding": "gzip" },
      },
      (res) => {
        assert.equal(res.headers["content-encoding"], "gzip");
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on("error", reject);
    req.end();
  });
  const parsed = JSON.parse(gunzipSync(body).toString()) as { data: unknown[] };
  assert.equal(parsed.data.length, 70);
});

test("auth – no credentials: 401 'No ticket', no body", async () => {
  const r = await call(sim, "GET", "/version", undefined, { token: "" });
  assert.equal(r.status, 401);
  assert.equal(r.statusText, "No ticket");
  assert.equal(r.raw, "");
});

test("auth – a wrong secret, an unknown token, the ':' separator and tickets all fail the same way", async () => {
  const [id, secret] = sim.token.value.split("=") as [string, string];
  for (const token of [`${id}=nope`, `root@pam!other=${secret}`, `${id}:${secret}`, "garbage"]) {
    const r = await call(sim, "GET", "/version", undefined, { token });
    assert.equal(r.status, 401, token);
    assert.equal(r.statusText, "Authentication failed!");
  }
  const ticket = await call(sim, "GET", "/version", undefined, {
    headers: { Cookie: "PVEAuthCookie=PVE:root@pam:1234" },
  });
  assert.equal(ticket.status, 401);
  assert.equal(ticket.statusText, "Authentication failed!");
});

test("auth – 'PVEAPIToken ID=SECRET' with a space also works, as extract_auth_value allows", async () => {
  const r = await call(sim, "GET", "/version", undefined, {
    token: "",
    headers: { Authorization: `PVEAPIToken ${sim.token.value}` },
  });
  assert.equal(r.status, 200);
});

test("auth – authFailureDelayMs delays 401s like pveproxy's 3 s, when asked to", async () => {
  const slow = await startSim({
    quiet: true,
    authFailureDelayMs: 150,
    sampleData: false,
    maxRecordedRequests: 5,
  });
  try {
    const t0 = Date.now();
    const r = await call(slow, "GET", "/version", undefined, { token: "" });
    assert.equal(r.status, 401);
    assert.ok(Date.now() - t0 >= 140);
    for (let i = 0; i < 10; i++) await call(slow, "GET", "/version");
    assert.ok(slow.requests.length <= 6, "the request record is capped");
    assert.equal(slow.requests.at(-1)?.path, "/version");
  } finally {
    await slow.close();
  }
});
