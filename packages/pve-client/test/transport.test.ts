// The transport over real loopback HTTP: request encoding, envelope handling, error mapping and message
// precedence, retries by phase (a mutating call that may have arrived is never sent twice), timeouts.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import undici from "undici";
import { Client, PveArgumentError, type PveError } from "@felhom/pve-client";
import { SECRET, TOKEN, UPID, captureLogger, httpClient, reply, startServer } from "./helpers.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { MockAgent } = undici;

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

async function setup(handler: Parameters<typeof startServer>[0], extra = {}) {
  const server = await startServer(handler);
  const { client, close } = httpClient(server.url, extra);
  closers.push(close, server.close);
  return { server, client };
}

async function codeOf(p: Promise<unknown>): Promise<PveError & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as PveError & Record<string, unknown>;
  }
  assert.fail("expected an error");
}

test("transport – GET sends the token header and query; POST sends a form with 0/1 booleans", async () => {
  const { server, client } = await setup((req, res) => {
    if (req.method === "GET") reply(res, 200, { data: [] });
    else reply(res, 200, { data: UPID });
  });
  await client.storageContent("pve", "local", { content: "backup", vmid: 100 });
  const upid = await client.restore("pve", {
    vmid: 101,
    archive: "local:backup/vzdump-lxc-100.tar.zst",
    storage: "local-lvm",
    newIdentity: { hostname: "copy" },
  });
  assert.equal(upid.raw, UPID);
  const [get, post] = server.seen;
  assert.equal(get?.url, "/api2/json/nodes/pve/storage/local/content?content=backup&vmid=100");
  assert.equal(get?.headers.authorization, `PVEAPIToken=${TOKEN}`);
  assert.equal(post?.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(
    post?.body,
    "vmid=101&ostemplate=local%3Abackup%2Fvzdump-lxc-100.tar.zst&restore=1&storage=local-lvm&unique=1&hostname=copy",
  );
});

test("transport – the message comes from the body, else the status line, else the field errors", async () => {
  const { client } = await setup((req, res) => {
    if (req.url.includes("/nodes/a/"))
      reply(res, 500, { data: null, message: "body text\n" }, "status line text");
    else if (req.url.includes("/nodes/b/")) {
      res.writeHead(500, "only in the status line");
      res.end();
    } else reply(res, 400, { data: null, errors: { vmid: "value must be at least 100" } }, "");
  });
  const a = await codeOf(client.nodeStatus("a"));
  assert.equal(a.code, "PVE_HTTP");
  assert.match(a.message, /500 body text$/);
  const b = await codeOf(client.nodeStatus("b"));
  assert.match(b.message, /500 only in the status line$/);
  const c = await codeOf(client.nodeStatus("c"));
  assert.match(c.message, /400 vmid: value must be at least 100$/);
  assert.deepEqual((c["http"] as { fieldErrors: object }).fieldErrors, {
    vmid: "value must be at least 100",
  });
});

test("transport – 401, 403, lock texts and 59x map onto their codes", async () => {
  const { client } = await setup((req, res) => {
    const n = req.url.split("/")[4] ?? "";
    if (n === "auth") reply(res, 401, { data: null }, "authentication failure");
    else if (n === "perm") {
      reply(res, 403, {
        data: null,
        message: "Permission check failed (/vms/100, VM.PowerMgmt)\n",
      });
    } else if (n === "locked") reply(res, 500, { data: null, message: "CT is locked (backup)\n" });
    else if (n === "locktimeout") {
      reply(res, 500, {
        data: null,
        message: "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout\n",
      });
    } else
      reply(res, 595, { data: null }, "Errors during connection establishment, proxy handshake");
  });
  assert.equal((await codeOf(client.nodeStatus("auth"))).code, "PVE_AUTH");
  const perm = await codeOf(client.nodeStatus("perm"));
  assert.equal(perm.code, "PVE_PERMISSION");
  assert.deepEqual(perm["privileges"], ["VM.PowerMgmt"]);
  assert.equal(perm["aclPath"], "/vms/100");
  const locked = await codeOf(client.nodeStatus("locked"));
  assert.equal(locked.code, "PVE_LOCKED");
  assert.equal(locked["lock"], "backup");
  const lt = await codeOf(client.nodeStatus("locktimeout"));
  assert.equal(lt.code, "PVE_LOCK_TIMEOUT");
  assert.equal(lt["vmid"], 100);
  const p = await codeOf(client.nodeStatus("proxy"));
  assert.equal(p.code, "PVE_HTTP");
  assert.equal(p["status"], 595);
  assert.match(p.message, /connection failed/);
});

test("transport – a GET is retried on 503 and 599; a POST answered 503 is not sent again", async () => {
  const { server, client } = await setup((req, res, n) => {
    if (req.method === "GET") {
      if (n === 1) reply(res, 503, { data: null }, "busy");
      else if (n === 2) reply(res, 599, { data: null }, "Too many redirections");
      else reply(res, 200, { data: { version: "9.1.4", release: "9.1", repoid: "abcdef12" } });
    } else reply(res, 503, { data: null }, "busy");
  });
  const v = await client.version();
  assert.equal(v.version, "9.1.4");
  assert.equal(server.seen.length, 3);
  const e = await codeOf(client.start("pve", "lxc", 100));
  assert.equal(e.code, "PVE_HTTP");
  assert.equal(server.seen.filter((r) => r.method === "POST").length, 1);
});

test("transport – a reset after the request arrived: GET retried, POST never re-sent", async () => {
  let posts = 0;
  const { server, client } = await setup((req, res) => {
    if (req.method === "POST") {
      posts++;
      res.socket?.destroy();
      return;
    }
    if (server.seen.length === 1) res.socket?.destroy();
    else reply(res, 200, { data: [] });
  });
  assert.deepEqual(await client.storageList("pve"), []);
  const e = await codeOf(client.stop("pve", "lxc", 100));
  assert.equal(e.code, "PVE_TRANSPORT");
  assert.equal(e["requestSent"], true);
  assert.match(e.message, /not retried: the request may have reached the server/);
  assert.equal(posts, 1);
});

test("transport – a request that never left (connect refused) is retried, even a POST", async () => {
  const server = await startServer(() => {});
  const url = server.url;
  await server.close();
  const { client, close } = httpClient(url);
  closers.push(close);
  const e = await codeOf(client.start("pve", "lxc", 100));
  assert.equal(e.code, "PVE_TRANSPORT");
  assert.equal(e["requestSent"], false);
  assert.equal(e["attempts"], 3);
  assert.equal(e["transportCode"], "ECONNREFUSED");
});

test("transport – the per-request timeout ends a silent server; a POST is not re-sent", async () => {
  const { server, client } = await setup(() => {}, { timeouts: { requestMs: 150 } });
  const e = await codeOf(client.shutdown("pve", "qemu", 200, { timeout: 60 }));
  assert.equal(e.code, "PVE_REQUEST_TIMEOUT");
  assert.equal(e["requestSent"], true);
  assert.equal(server.seen.length, 1);
  const g = await codeOf(client.version({ timeoutMs: 100 }));
  assert.equal(g.code, "PVE_REQUEST_TIMEOUT");
  assert.equal(server.seen.length, 4, "the GET is tried three times");
});

test("transport – an AbortSignal aborts a call with PVE_ABORTED", async () => {
  const { client } = await setup(() => {});
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  assert.equal((await codeOf(client.version({ signal: ac.signal }))).code, "PVE_ABORTED");
});

test("transport – data:null is neither an empty list nor a UPID; non-JSON is a shape error", async () => {
  const { client } = await setup((req, res) => {
    if (req.url.includes("/text")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>");
    } else reply(res, 200, { data: null });
  });
  assert.equal((await codeOf(client.lxcList("pve"))).code, "PVE_RESPONSE_SHAPE");
  assert.equal((await codeOf(client.clusterResources())).code, "PVE_RESPONSE_SHAPE");
  assert.equal((await codeOf(client.start("pve", "lxc", 100))).code, "PVE_RESPONSE_SHAPE");
  assert.equal((await codeOf(client.guestStatus("pve", "lxc", 100))).code, "PVE_RESPONSE_SHAPE");
  assert.equal((await codeOf(client.nodeStatus("text"))).code, "PVE_RESPONSE_SHAPE");
});

test("transport – a trace-level log of a whole session never contains the secret or the header", async () => {
  const cap = captureLogger();
  const { client } = await setup(
    (req, res, n) => {
      if (n % 2) res.socket?.destroy();
      else if (req.method === "POST") reply(res, 500, { data: null, message: "failed\n" });
      else reply(res, 200, { data: [] });
    },
    { logger: cap.logger },
  );
  await client.storageList("pve");
  await codeOf(client.backup("pve", { vmid: 100, mode: "snapshot", storage: "local" }));
  await codeOf(client.start("pve", "lxc", 100));
  assert.ok(cap.lines.some((l) => l.includes('"level":"trace"')));
  const all = cap.lines.join("\n");
  assert.ok(!all.includes(SECRET));
  assert.ok(!/PVEAPIToken|authorization/i.test(all));
});

test("client – refuses plain http without an injected dispatcher, and https without a tls choice", () => {
  assert.throws(
    () => new Client({ baseUrl: "http://pve:8006", token: TOKEN, tls: { insecure: true } }),
    PveArgumentError,
  );
  assert.throws(() => new Client({ baseUrl: "https://pve:8006", token: TOKEN }), PveArgumentError);
});

test("transport – MockAgent: an error before the request was written is retried for a POST", async () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get("https://pve.example:8006");
  pool
    .intercept({ path: "/api2/json/nodes/pve/lxc/100/status/start", method: "POST" })
    .replyWithError(new Error("connect fail"));
  pool
    .intercept({ path: "/api2/json/nodes/pve/lxc/100/status/start", method: "POST" })
    .reply(200, { data: UPID });
  const client = new Client({
    baseUrl: "https://pve.example:8006/api2/json/",
    token: TOKEN,
    dispatcher: agent,
    retry: { baseMs: 1, maxMs: 2 },
  });
  const upid = await client.start("pve", "lxc", 100);
  assert.equal(upid.type, "vzstart");
  agent.assertNoPendingInterceptors();
  await agent.close();
});

test("client – after close(), calls fail at once instead of retrying", async () => {
  const { client, server } = await setup((_req, res) => reply(res, 200, { data: [] }));
  const own = new Client({
    baseUrl: server.url.replace("http:", "https:"),
    token: TOKEN,
    tls: { insecure: true },
  });
  await own.close();
  const e = await codeOf(own.version());
  assert.equal(e.code, "PVE_TRANSPORT");
  assert.equal(e["attempts"], 1);
  assert.match(String(e["transportCode"]), /^UND_ERR_(DESTROYED|CLOSED)$/);
  void client;
});
