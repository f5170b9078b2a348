// TLS against the simulator's self-signed certificate: pin accepted and refused, pinning that holds on
// resumed sessions (fail closed), CA and CA-file trust, and the insecure mode's warning.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import undici from "undici";
import { startSim, type Sim } from "@felhom/pve-sim";
import { Client, PveTlsPinMismatchError, type PveError } from "@felhom/pve-client";
import { pinningConnector } from "../src/tls.js";
import { captureLogger } from "./helpers.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { buildConnector } = undici;

let a: Sim;
let b: Sim;
before(async () => {
  [a, b] = await Promise.all([startSim({ quiet: true }), startSim({ quiet: true })]);
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
});

async function failure(p: Promise<unknown>): Promise<PveError & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as PveError & Record<string, unknown>;
  }
  assert.fail("expected an error");
}

test("tls – a wrong pin is refused on every attempt and no request reaches the server", async () => {
  assert.notEqual(a.fingerprint256, b.fingerprint256);
  const before = a.requests.length;
  const client = new Client({
    baseUrl: a.url,
    token: a.token.value,
    tls: { fingerprint256: b.fingerprint256 },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const e = await failure(client.version());
      assert.ok(e instanceof PveTlsPinMismatchError);
      assert.equal(e.code, "PVE_TLS_PIN_MISMATCH");
      assert.equal(e["actual"], a.fingerprint256);
      assert.equal(e["expected"], b.fingerprint256);
    }
    const mut = await failure(client.start(a.node, "lxc", 101));
    assert.equal(mut.code, "PVE_TLS_PIN_MISMATCH");
    assert.equal(a.requests.length, before);
  } finally {
    await client.close();
  }
});

test("tls – the right pin is accepted, and every new connection is verified, none resumed", async () => {
  const cap = captureLogger();
  const client = new Client({
    baseUrl: a.url,
    token: a.token.value,
    tls: { fingerprint256: a.fingerprint256.toLowerCase().replaceAll(":", "") },
    logger: cap.logger,
    retry: { baseMs: 1, maxMs: 2 },
  });
  try {
    // Each reset forces the next attempt onto a new connection.
    a.faults.add({
      method: "GET",
      path: "/version",
      times: 2,
      kind: { type: "reset-before-read" },
    });
    assert.equal((await client.version()).release.length > 0, true);
    const checks = cap.lines
      .filter((l) => l.includes("pve tls certificate matches pin"))
      .map((l) => JSON.parse(l) as { resumed: boolean });
    assert.ok(checks.length >= 3, `verified connections: ${checks.length}`);
    assert.ok(checks.every((c) => c.resumed === false));
  } finally {
    await client.close();
  }
});

test("tls – the pin check fails closed on a resumed session that shows no certificate", async () => {
  // A connector WITH undici's session cache: the second connection resumes the first one's session.
  const resuming = buildConnector({ rejectUnauthorized: false });
  const connect = pinningConnector(resuming, a.fingerprint256, captureLogger().logger);
  const open = () =>
    new Promise<{ ok: boolean; err?: Error }>((resolve) => {
      connect(
        {
          hostname: "127.0.0.1",
          host: `127.0.0.1:${a.port}`,
          protocol: "https:",
          port: String(a.port),
        },
        (err, socket) => {
          if (err) resolve({ ok: false, err });
          else {
            // give the TLS 1.3 session ticket time to arrive before closing
            setTimeout(() => {
              socket?.end();
              resolve({ ok: true });
            }, 50);
          }
        },
      );
    });
  const first = await open();
  assert.equal(first.ok, true);
  const second = await open();
  assert.equal(second.ok, false, "a resumed connection must not pass the pin unchecked");
  assert.ok(second.err instanceof PveTlsPinMismatchError);
  assert.equal(second.err.actual, undefined);
});

test("tls – a CA, a CA file, and a foreign CA", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pve-client-tls-"));
  try {
    const caFile = join(dir, "ca.pem");
    await writeFile(caFile, a.ca);
    for (const tls of [{ ca: a.ca }, { caFile }]) {
      const c = new Client({ baseUrl: a.url, token: a.token.value, tls });
      try {
        assert.ok((await c.version()).version);
      } finally {
        await c.close();
      }
    }
    const before = a.requests.length;
    const foreign = new Client({ baseUrl: a.url, token: a.token.value, tls: { ca: b.ca } });
    try {
      const e = await failure(foreign.version());
      assert.equal(e.code, "PVE_TRANSPORT");
      assert.equal(e["requestSent"], false);
      assert.equal(e["attempts"], 1, "certificate errors are not retried");
      assert.match(String(e["transportCode"]), /CERT|SIGNATURE|SELF_SIGNED|UNABLE/);
      assert.equal(a.requests.length, before);
    } finally {
      await foreign.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("tls – insecure works and says so in the log", async () => {
  const cap = captureLogger();
  const c = new Client({
    baseUrl: a.url,
    token: a.token.value,
    tls: { insecure: true },
    logger: cap.logger,
  });
  try {
    assert.ok((await c.version()).version);
    assert.ok(cap.lines.some((l) => l.includes('"level":"warn"') && l.includes("insecure")));
  } finally {
    await c.close();
  }
  assert.equal(process.env["NODE_TLS_REJECT_UNAUTHORIZED"], undefined);
});
