// The CLI against a real root helper that refuses it: a user outside the socket's group (EACCES in the kernel)
// and a user in the group whose uid is not served (the helper's SO_PEERCRED check closes the connection) each
// get a one-line error and a fix hint naming who may run it, never a bare "unknown code -32099" (issue 13).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chown, mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HELPER_HINTS } from "../packages/agent/src/helper-hints.js";
import { startTestHelper } from "@felhom/test-support/root-helper";
import { ROOT } from "./fence/imports.js";
import { eventsIn } from "@felhom/helper-protocol";

const AGENT = { uid: 65530, gid: 65531 };
const isRoot = process.getuid?.() === 0;

function cliAs(ids: string[], args: string[]): Promise<{ code: number; err: string; out: string }> {
  const cli = join(ROOT, "packages", "agent", "src", "cli.ts");
  const argv = [
    ...ids,
    process.execPath,
    "--conditions=@felhom/source",
    "--import",
    "tsx",
    cli,
    ...args,
  ];
  return new Promise((resolve) => {
    execFile("/usr/bin/setpriv", argv, { cwd: ROOT, timeout: 60_000 }, (err, out, errText) =>
      resolve({ code: typeof err?.code === "number" ? err.code : err ? -1 : 0, out, err: errText }),
    );
  });
}

test("cli – each refusal by the real helper's socket or peer check ends in a fix hint", async (t) => {
  if (!isRoot) return t.skip("needs root to run the CLI as other users");
  const h = await startTestHelper({ agent: AGENT });
  const dir = await mkdtemp(join(tmpdir(), "felhom-refusal-"));
  try {
    await chmod(dir, 0o755);
    await chown(h.socket, 0, AGENT.gid); // root:<agent group> 0660, as systemd makes it
    const config = join(dir, "agent.json");
    await writeFile(
      config,
      JSON.stringify({
        pve: {
          url: "https://127.0.0.1:1",
          node: "pve",
          tokenId: "felhom@pve!agent",
          tls: { insecure: true },
        },
        helper: { socket: h.socket },
      }),
      { mode: 0o644 },
    );
    const cases = [
      { ids: ["--reuid=65534", "--regid=65534", "--clear-groups"], uid: 65534 }, // not in the group: EACCES
      { ids: ["--reuid=65532", "--regid=65531", "--clear-groups"], uid: 65532 }, // in the group, not served
    ];
    for (const c of cases) {
      const token = join(dir, `token-${c.uid}`);
      await writeFile(token, "5f1c7f7e-7a1b-4c9e-9d57-0d3c1b2a9f11\n", { mode: 0o600 });
      await chown(token, c.uid, 0);
      for (const command of [["sensors"], ["usb", "unmount", "backup"]]) {
        const r = await cliAs(c.ids, ["--config", config, "--token-file", token, ...command]);
        assert.equal(r.code, 1, r.err);
        const lines = r.err
          .trimEnd()
          .split("\n")
          .filter((l) => !l.startsWith("{")); // not the TLS warning
        assert.equal(lines.length, 2, r.err);
        assert.match(lines[0] ?? "", /^felhom: root helper: /);
        assert.doesNotMatch(r.err, /unknown code/);
        assert.match(
          lines[1] ?? "",
          /^ {2}fix: .*serves only root and the agent's user: run as root/,
        );
      }
    }
    // The helper saw (and audited) only the peer in its group, and refused it. Its repeated refusals are
    // coalesced into one summary line (`repeated`), written when the helper stops.
    await h.close();
    const connects = h.audit.filter((a) => a.method === "(connect)");
    const seen = connects.reduce((n, a) => n + eventsIn(a), 0);
    assert.ok(seen >= 2, `${seen} connections audited`);
    assert.ok(
      connects.every((a) => (a.peer as { uid: number }).uid === 65532 && a.decision === "denied"),
    );
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("cli – every code a helper call can end with has a fix hint (but an abort by the user)", () => {
  for (const [code, hint] of Object.entries(HELPER_HINTS)) {
    if (code === "HELPER_ABORTED") assert.equal(hint, undefined);
    else assert.ok(typeof hint === "string" && hint.length > 20, code);
  }
});
