// Peer identity over a real socket with clients that really run as other users (setpriv): the kernel refuses a
// peer outside the socket's group, and the helper refuses one whose SO_PEERCRED uid or primary gid is not the
// agent's, even when the file mode let it connect; the refusal is audited with the peer's uid, gid and pid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chown } from "node:fs/promises";
import { have, isRoot, run } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";

const AGENT = { uid: 65530, gid: 65531 };

/** A client in plain Node (no packages, no ~/.npm): sends hello, prints what happened. */
const CLIENT = `
const s = require("net").connect(process.argv[1]);
const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} });
let out = "";
let connected = false;
s.on("connect", () => (connected = true) && s.write("Content-Length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body));
s.on("data", (d) => { out += d; if (out.includes('"result"')) s.end(); });
let failed = "";
s.on("error", (e) => (failed = connected ? "" : "ERROR " + e.code)); // after connect: closed by the helper
s.on("close", () => console.log(failed || (out.includes('"felhom-root-helper"') ? "ANSWERED" : "UNANSWERED")));
`;

async function asUser(socket: string, setpriv: string[]) {
  const args = [...setpriv, "/usr/bin/node", "-e", CLIENT, socket];
  const r = await run("/usr/bin/setpriv", args, { timeoutMs: 10_000 });
  return r.stdout.trim() || r.stderr.trim();
}

test("peer – the kernel refuses a user outside the socket's group; the helper refuses a wrong uid or primary gid", async (t) => {
  if (!isRoot) return t.skip("needs root to run clients as other users");
  if (!(await have("/usr/bin/setpriv"))) return t.skip("setpriv (util-linux) is not installed");
  const h = await startTestHelper({ agent: AGENT });
  try {
    await chown(h.socket, 0, AGENT.gid); // root:<agent group> 0660, as systemd makes it
    // nobody:nogroup: no write permission on the socket file, so connect() fails in the kernel.
    assert.equal(
      await asUser(h.socket, ["--reuid=65534", "--regid=65534", "--clear-groups"]),
      "ERROR EACCES",
    );
    // In the group, so the kernel lets it connect, but its uid is not the agent's.
    assert.equal(
      await asUser(h.socket, ["--reuid=65532", "--regid=65531", "--clear-groups"]),
      "UNANSWERED",
    );
    // The agent's uid, reaching the socket through a supplementary group: its primary gid is not the agent's.
    assert.equal(
      await asUser(h.socket, ["--reuid=65530", "--regid=65533", "--groups=65531"]),
      "UNANSWERED",
    );
    // The agent itself.
    assert.equal(
      await asUser(h.socket, ["--reuid=65530", "--regid=65531", "--clear-groups"]),
      "ANSWERED",
    );
    const connects = h.audit.filter((a) => a.method === "(connect)");
    assert.deepEqual(
      connects.map((a) => {
        const peer = a.peer as { uid: number; gid: number; pid: number };
        assert.ok(Number.isInteger(peer.pid) && peer.pid > 1);
        return [peer.uid, peer.gid, a.decision, a.code];
      }),
      [
        [65532, 65531, "denied", -32002],
        [65530, 65533, "denied", -32002],
        [65530, 65531, "ok", undefined],
      ],
    );
    assert.equal(h.audit.filter((a) => a.method === "helper.hello").length, 1);
  } finally {
    await h.close();
  }
});

test("peer – root is served as well as the agent (audited as uid 0); a third uid is still refused", async (t) => {
  if (!isRoot) return t.skip("needs root to run clients as root and as other users");
  if (!(await have("/usr/bin/setpriv"))) return t.skip("setpriv (util-linux) is not installed");
  const h = await startTestHelper({ agent: AGENT });
  try {
    await chown(h.socket, 0, AGENT.gid); // root:<agent group> 0660, as systemd makes it
    // Root (the CLI run by an admin), with root's group and with some other primary group.
    assert.equal(await asUser(h.socket, ["--reuid=0", "--regid=0", "--clear-groups"]), "ANSWERED");
    assert.equal(
      await asUser(h.socket, ["--reuid=0", "--regid=65533", "--clear-groups"]),
      "ANSWERED",
    );
    // A third uid in the socket's group, even with the agent's primary gid.
    assert.equal(
      await asUser(h.socket, ["--reuid=65532", "--regid=65531", "--clear-groups"]),
      "UNANSWERED",
    );
    const connects = h.audit
      .filter((a) => a.method === "(connect)")
      .map((a) => {
        const peer = a.peer as { uid: number; gid: number };
        return [peer.uid, peer.gid, a.decision];
      });
    assert.deepEqual(connects, [
      [0, 0, "ok"],
      [0, 65533, "ok"],
      [65532, 65531, "denied"],
    ]);
    const hellos = h.audit.filter((a) => a.method === "helper.hello");
    assert.deepEqual(
      hellos.map((a) => (a.peer as { uid: number }).uid),
      [0, 0],
    );
  } finally {
    await h.close();
  }
});
