// The client soak: a simulator child with the fault mix, the pve-client at trace level (every log line scanned
// for the secret), a set-up phase without faults, the mixed workload, then the invariants and the figures.
import { randomUUID } from "node:crypto";
import pinoModule from "pino";
import { createHost } from "@felhom/agent";
import { Client } from "@felhom/pve-client";
import { mib, pct, selfPeakRss } from "../lib/memory.js";
import { createRng } from "@felhom/test-support/rng";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { SecretScan } from "../lib/secret-scan.js";
import { ALL_FAULTS, REQUEST_FAULTS } from "./faults.js";
import { checkCalls, checkTasks } from "./invariants.js";
import { Model, SETUP_RESTORES } from "./model.js";
import type { OpEnv } from "./operations.js";
import { startRemoteSim } from "./sim-remote.js";
import { runWorkload } from "./workload.js";
// pino is CommonJS: a default import, never Node's named-export detection (issue 13).
const { pino } = pinoModule;

export const CLIENT_SIZES: Readonly<Record<Profile, number>> = {
  test: 500,
  quick: 2_000,
  full: 10_000,
};

export interface ClientSoakOptions {
  profile: Profile;
  ops?: number;
  concurrency?: number;
  seed?: number;
}

const REQUEST_MS = 1500;
const RETRY = { attempts: 3, baseMs: 20, maxMs: 200 };

export async function runClientSoak(opts: ClientSoakOptions): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "client-faults",
    "Agent (routing facade + pve-client) against the simulator with faults",
    opts.profile,
  );
  const ops = opts.ops ?? CLIENT_SIZES[opts.profile];
  const concurrency = opts.concurrency ?? 8;
  const seed = opts.seed ?? 9;
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(String(reason).slice(0, 200));
  process.on("unhandledRejection", onUnhandled);

  const sim = await startRemoteSim({
    sim: {
      seed,
      taskDurationMs: 40,
      taskDurations: { vzdump: 80, vzrestore: 80 },
      earlyNoSuchTaskMs: 25,
      lockTimeoutMs: 400,
      maxRecordedRequests: 5_000_000,
      tokenSecret: randomUUID(),
    },
    faults: [...ALL_FAULTS],
  });
  const scan = new SecretScan(sim.token.secret);
  const logStream = scan.stream("client trace log (pino, level trace)");
  const client = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { fingerprint256: sim.fingerprint256 },
    timeouts: { requestMs: REQUEST_MS, connectMs: 2000 },
    retry: RETRY,
    logger: pino({ level: "trace" }, logStream),
    connections: concurrency,
  });
  try {
    // Set-up without faults: restore a few containers so eight workers have guests to share.
    const archive = (await sim.backups()).find((b) => b.vmid === 100)?.volid;
    if (archive === undefined)
      throw new Error("the simulator has no backup of CT 100 to restore from");
    for (const vmid of SETUP_RESTORES) {
      const upid = await client.restore(sim.node, {
        vmid,
        archive,
        storage: "local-lvm",
        newIdentity: { hostname: `ct${vmid}` },
      });
      await client.waitTask(upid, { timeoutMs: 10_000 });
    }
    const setupSeq = await sim.requestCount();
    const model = new Model(16);
    await model.refresh(sim);
    await sim.installFaults();

    // The agent's routing facade over this client; the helper half is not exercised here.
    const host = createHost({
      api: client,
      helper: { call: () => Promise.reject(new Error("the client soak has no root helper")) },
      node: sim.node,
    });
    const env: OpEnv = {
      host,
      node: sim.node,
      rng: createRng(seed),
      scan,
      model,
      inflight: new Set(),
      readDeadlineMs: RETRY.attempts * REQUEST_MS + (RETRY.attempts - 1) * RETRY.maxMs + 1500,
      waitTimeoutMs: 20_000,
      waitDeadlineMs: 20_000 + REQUEST_MS + 1500,
    };
    const out = await runWorkload(env, sim, {
      ops,
      concurrency,
      hangMs: 60_000,
      rssSamples: 20,
      refreshEvery: 4 * concurrency,
    });
    await sim.clearFaults();
    const stillRunning = await sim.drain(30_000);
    const [requests, tasks, hits] = await Promise.all([
      sim.requests(setupSeq + 1),
      sim.tasks(),
      sim.hits(),
    ]);
    const truth = { requests, tasks, stillRunning };

    rb.figure("operations", ops);
    rb.figure("concurrency", concurrency);
    rb.figure("operations per second", Math.round((ops / out.durationMs) * 1000));
    rb.figure("requests received by the simulator", requests.length);
    const requestHits = hits.slice(0, REQUEST_FAULTS.length).reduce((a, b) => a + b, 0);
    const share = pct(requestHits, requests.length);
    rb.figure("requests hit by an injected fault", `${requestHits} (${share} %)`);
    rb.figure("faults by kind", ALL_FAULTS.map((f, i) => `${f.name} ${hits[i] ?? 0}`).join(", "));
    rb.figure(
      "model housekeeping",
      `${model.reaped} restored guests reaped, ${model.prunedBackups} old archives pruned`,
    );
    checkCalls(rb, out.records, truth);
    checkTasks(rb, out.records, truth);
    rb.check("no call hung", out.hangs.length === 0, `hang watchdog ${60} s per call`, out.hangs);
    rb.check(
      "no unhandled promise rejection",
      unhandled.length === 0,
      `${unhandled.length} seen`,
      unhandled,
    );
    rb.check(
      "10–20 % of requests were hit by an injected fault",
      share >= 10 && share <= 20,
      `${share} %`,
    );

    const mid = out.rss.reduce((best, s) =>
      Math.abs(s.op - ops / 2) < Math.abs(best.op - ops / 2) ? s : best,
    );
    const end = out.rss[out.rss.length - 1] ?? mid;
    const secondHalfMax = Math.max(...out.rss.filter((s) => s.op >= mid.op).map((s) => s.rss));
    const growth = pct(secondHalfMax - mid.rss, mid.rss);
    rb.figure(
      "RSS at start / middle / end (after GC)",
      `${mib(out.rss[0]?.rss ?? 0)} / ${mib(mid.rss)} / ${mib(end.rss)} MiB`,
    );
    rb.figure("peak RSS of the workload process", `${mib(selfPeakRss())} MiB`);
    rb.check(
      "RSS over the second half grew less than 10 %",
      growth < 10,
      `${growth} % (largest second-half sample vs the middle)`,
    );

    await new Promise<void>((resolve) => logStream.end(resolve));
    rb.figure(
      "secret scan",
      scan.tallies.map((t) => `${t.surface}: ${t.items} items, ${mib(t.bytes)} MiB`).join("; "),
    );
    rb.check(
      "the token secret never appeared in a trace log line, error message or error inspection",
      scan.leaks.length === 0,
      `${mib(scan.totalBytes)} MiB scanned`,
      scan.leaks.map((l) => `${l.surface}: ${l.context}`),
    );
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await client.close();
    await sim.close();
  }
  return rb.done();
}
