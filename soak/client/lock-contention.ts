// Lock contention: many mutating calls on one guest at once. Each must end in success or a typed lock error
// (PVE_LOCKED / PVE_LOCK_TIMEOUT), never a hang.
import { randomUUID } from "node:crypto";
import { Client, hasPveCode, type Upid } from "@felhom/pve-client";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { SecretScan } from "../lib/secret-scan.js";
import { describeError } from "./records.js";
import { startRemoteSim } from "./sim-remote.js";

export const LOCK_ROUNDS: Readonly<Record<Profile, number>> = { test: 2, quick: 10, full: 30 };
const HANG_MS = 30_000;

/** lock: a typed lock error. other: any other outcome; `lockInLog` when the task log names the lock anyway. */
type Outcome = { result: "ok" | "lock" | "other"; code: string; ms: number; lockInLog?: string };

const LOCK_TEXT = /is locked|can't lock file/;

/** One call: send, wait for its task if it started one, classify. Never rejects. */
async function attempt(
  client: Client,
  scan: SecretScan,
  start: () => Promise<Upid | void>,
): Promise<Outcome> {
  const t0 = performance.now();
  const settle = async (): Promise<Outcome> => {
    try {
      const upid = await start();
      if (upid) await client.waitTask(upid, { timeoutMs: 20_000, pollMinMs: 20, pollMaxMs: 200 });
      return { result: "ok", code: "ok", ms: 0 };
    } catch (err) {
      const code = describeError(err, scan).code;
      const lock = hasPveCode(err, "PVE_LOCKED", "PVE_LOCK_TIMEOUT");
      const tail = (err as { logTail?: unknown }).logTail;
      const line = Array.isArray(tail)
        ? tail.map(String).find((l) => LOCK_TEXT.test(l))
        : undefined;
      const exit = (err as { exitstatus?: unknown }).exitstatus;
      const lockInLog =
        line === undefined ? undefined : `exitstatus "${String(exit)}", log: "${line}"`;
      return { result: lock ? "lock" : "other", code, ms: 0, ...(lockInLog ? { lockInLog } : {}) };
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>(
    (r) => (timer = setTimeout(() => r({ result: "other", code: "HANG", ms: 0 }), HANG_MS)),
  );
  const out = await Promise.race([settle(), hang]).finally(() => clearTimeout(timer));
  return { ...out, ms: Math.round(performance.now() - t0) };
}

/** The calls of one round on CT `vmid`: snapshots, backups in both modes, config changes, rollbacks. */
function burst(
  client: Client,
  node: string,
  vmid: number,
  round: string,
): Array<() => Promise<Upid | void>> {
  return [
    ...[1, 2, 3, 4].map((i) => () => client.snapshot(node, "lxc", vmid, `c${round}x${i}`)),
    () => client.backup(node, { vmid, mode: "snapshot", storage: "local" }),
    () => client.backup(node, { vmid, mode: "stop", storage: "local" }),
    ...[512, 768, 1024, 1536].map(
      (memory) => () => client.setConfig(node, "lxc", vmid, { memory }),
    ),
    () => client.rollback(node, "lxc", vmid, "base"),
    () => client.rollback(node, "lxc", vmid, "base"),
  ];
}

export async function runLockContention(opts: {
  profile: Profile;
  rounds?: number;
}): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "lock-contention",
    "Lock contention: parallel mutating calls on one guest",
    opts.profile,
  );
  const rounds = opts.rounds ?? LOCK_ROUNDS[opts.profile];
  const sim = await startRemoteSim({
    sim: {
      seed: 3,
      taskDurationMs: 60,
      taskDurations: { vzdump: 80 },
      lockTimeoutMs: 150,
      earlyNoSuchTaskMs: 25,
      tokenSecret: randomUUID(),
    },
    faults: [],
  });
  const scan = new SecretScan(sim.token.secret);
  const plain = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { fingerprint256: sim.fingerprint256 },
    timeouts: { requestMs: 5000 },
    connections: 12,
  });
  try {
    const vmid = 101;
    const base = await plain.snapshot(sim.node, "lxc", vmid, "base");
    await plain.waitTask(base, { timeoutMs: 10_000 });
    const all: Outcome[] = [];
    for (let r = 0; r < rounds; r++) {
      const calls = burst(plain, sim.node, vmid, `p${r}`);
      const outs = await Promise.all(calls.map((c) => attempt(plain, scan, c)));
      all.push(...outs);
      await sim.drain(10_000);
    }
    const by = (f: (o: Outcome) => boolean) => all.filter(f).length;
    const codes = [...new Set(all.map((o) => o.code))]
      .map((c) => `${c} ${by((o) => o.code === c)}`)
      .join(", ");
    rb.figure(
      `parallel: calls (${rounds} rounds of ${all.length / rounds} at once on CT ${vmid})`,
      all.length,
    );
    rb.figure("parallel: outcomes", codes);
    rb.figure("parallel: slowest call to settle", `${Math.max(...all.map((o) => o.ms))} ms`);
    const untyped = all.filter((o) => o.code === "HANG" || o.code.startsWith("UNTYPED"));
    rb.check(
      "parallel mutating calls on one guest each settled, typed, never a hang",
      untyped.length === 0 && by((o) => o.result === "ok") >= rounds,
      `${by((o) => o.result === "ok")} ok, ${by((o) => o.result !== "ok")} typed errors`,
      untyped.map((o) => `${o.code} after ${o.ms} ms`),
    );
    const hidden = all.filter((o) => o.result === "other");
    rb.check(
      "each parallel call ended in success or a typed lock error (PVE_LOCKED, PVE_LOCK_TIMEOUT)",
      hidden.length === 0,
      `${by((o) => o.result === "lock")} lock errors, ${hidden.length} other errors`,
      hidden.map(
        (o) => `${o.code}${o.lockInLog ? ` although the lock caused it (${o.lockInLog})` : ""}`,
      ),
    );
    const mutating = (await sim.requests(0)).filter((q) => q.method !== "GET").length;
    const issued = 1 + rounds * burst(plain, sim.node, vmid, "x").length;
    rb.check(
      "every mutating call reached the simulator exactly once (no faults here)",
      mutating === issued,
      `${issued} issued, ${mutating} recorded`,
    );
    rb.check(
      "the token secret never appeared in an error",
      scan.leaks.length === 0,
      `${scan.tallies[0]?.items ?? 0} errors scanned`,
    );
  } finally {
    await plain.close();
    await sim.close();
  }
  return rb.done();
}
