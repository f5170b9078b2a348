// The helper under property-based attack: batches of generated JSON-RPC requests (valid, mutated, unknown) over
// two real connections to the compiled helper; after each batch the tools that ran must be exactly those the
// pure argv builders give for the requests that validated, and every other request must have run nothing and
// been answered with its contract error code.
import fc from "fast-check";
import { fixture } from "./fake-tools.js";
import { BLOCK_DEVICES, startHelperProcess } from "./helper-process.js";
import { request, type GeneratedRequest } from "./arbitraries.js";
import { diffRuns, judge, type OracleContext } from "./oracle.js";
import { RawPeer } from "./wire.js";
import { mib } from "../lib/memory.js";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";

export const PROPERTY_SIZES: Readonly<Record<Profile, number>> = {
  test: 5_000,
  quick: 20_000,
  full: 100_000,
};
const PER_PEER = 4; // the helper's default in-flight limit per connection

export async function runHelperProperties(opts: {
  profile: Profile;
  requests?: number;
  seed?: number;
}): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "helper-properties",
    "Root helper: property-based requests at the JSON-RPC level",
    opts.profile,
  );
  const target = opts.requests ?? PROPERTY_SIZES[opts.profile];
  const seed = opts.seed ?? 42;
  const helper = await startHelperProcess();
  const uuids = JSON.parse(fixture("uuids.json")) as Record<string, string>;
  const ctx: OracleContext = {
    tools: helper.fake.tools,
    dirs: helper.dirs,
    blockDevices: helper.devices ? BLOCK_DEVICES.map(([n]) => n) : [],
    // sdb1 (a partition) and sde (a whole disk) of the lsblk fixture, both USB with a by-id link.
    eligible: [
      { uuid: uuids.usb ?? "", fstype: "ext4" },
      { uuid: uuids.whole ?? "", fstype: "vfat" },
    ],
    forbidden: [helper.canary, helper.root],
  };
  const peers: RawPeer[] = [await RawPeer.open(helper.socket), await RawPeer.open(helper.socket)];
  let connections = 2;
  let nextId = 1;
  const tally = { sent: 0, valid: 0, toolRuns: 0, batches: 0, reconnects: 0 };
  const outcomes = new Map<string, number>();
  const unfixed = new Map<string, number>();
  let failure: string | undefined;

  const peer = async (i: number): Promise<RawPeer> => {
    const p = peers[i] as RawPeer;
    if (!p.isClosed) return p;
    tally.reconnects++;
    connections++;
    return (peers[i] = await RawPeer.open(helper.socket));
  };

  const property = fc.asyncProperty(
    fc.array(request, { minLength: 1, maxLength: 2 * PER_PEER }),
    async (batch: GeneratedRequest[]) => {
      const ids = batch.map(() => nextId++);
      const answers = await Promise.all(
        batch.map(async (r, i) => {
          const message: Record<string, unknown> = { jsonrpc: "2.0", id: ids[i], method: r.method };
          if (!r.omit) message.params = r.params;
          return (await peer(i < PER_PEER ? 0 : 1)).request(message);
        }),
      );
      const ran = await helper.fake.takeCalls();
      const problems: string[] = [];
      const expected = batch.flatMap((r, i) => {
        const j = judge(r, ids[i] as number, answers[i] as (typeof answers)[number], ctx);
        for (const p of j.problems)
          problems.push(`${r.method} ${JSON.stringify(r.params)?.slice(0, 200)}: ${p}`);
        tally.valid += j.valid ? 1 : 0;
        if (j.unfixedMessage !== undefined)
          unfixed.set(j.unfixedMessage, (unfixed.get(j.unfixedMessage) ?? 0) + 1);
        const key = `${j.valid ? "valid" : "invalid"} → ${j.outcome}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        return j.expected;
      });
      problems.push(...diffRuns(expected, ran));
      tally.sent += batch.length;
      tally.toolRuns += ran.length;
      tally.batches++;
      if (problems.length > 0) throw new Error(problems.slice(0, 5).join("\n"));
    },
  );

  const rss: number[] = [];
  try {
    for (let round = 0; tally.sent < target && failure === undefined; round++) {
      const runs = Math.max(1, Math.ceil((target - tally.sent) / (PER_PEER + 0.5)));
      const report = await fc.check(property, {
        numRuns: Math.min(runs, 2000),
        seed: seed + round,
        endOnFailure: true,
      });
      rss.push(helper.rss() ?? 0);
      if (report.failed)
        failure = `seed ${seed + round}: ${String(report.errorInstance instanceof Error ? report.errorInstance.message : report.errorInstance).slice(0, 1500)} — counterexample ${JSON.stringify(report.counterexample)?.slice(0, 600)}`;
    }
    // The well-behaved client still gets a valid hello at the end.
    const hello = await (
      await peer(0)
    ).request({ jsonrpc: "2.0", id: nextId++, method: "helper.hello", params: {} });
    rb.figure("generated requests", tally.sent);
    rb.figure("… that validated (the contract's schemas)", tally.valid);
    rb.figure(
      "tool runs observed (each matched to a validated request's builder argv)",
      tally.toolRuns,
    );
    rb.figure("batches (up to 8 concurrent requests over 2 connections)", tally.batches);
    rb.figure(
      "answers",
      [...outcomes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    );
    rb.figure(
      "helper RSS (sampled per 2,000 batches) / peak",
      `${rss.map(mib).join(", ")} / ${mib(helper.peakRss() ?? 0)} MiB`,
    );
    rb.check(
      `at least ${target.toLocaleString("en")} generated requests were sent`,
      tally.sent >= target,
      `${tally.sent} sent`,
    );
    rb.check(
      "a tool ran only for requests that validated, exactly with the pure builder's argv; every other request ran nothing and got its contract error code",
      failure === undefined,
      `${tally.sent} requests, ${tally.toolRuns} tool runs checked`,
      failure === undefined ? [] : [failure],
    );
    rb.check(
      "no connection was dropped by the helper during the run, and it answered a valid hello afterwards",
      tally.reconnects === 0 && hello.result !== undefined && helper.alive(),
      `${connections} connections`,
      [`reconnects: ${tally.reconnects}`, `hello: ${hello.raw.slice(0, 200)}`],
    );
    const unfixedTotal = [...unfixed.values()].reduce((a, b) => a + b, 0);
    rb.check(
      "every error answer carried its code's fixed contract message (DESIGN section 4: no library or exception text)",
      unfixed.size === 0,
      `${unfixedTotal} answers with another message`,
      [...unfixed].map(([m, n]) => `${n}× ${m}`),
    );
    for (const p of peers) p.destroy();
    await helper.stop(); // the helper writes the summaries of its coalesced audit lines as it stops
    const audited =
      helper.audit.requests.ok + helper.audit.requests.denied + helper.audit.requests.failed;
    rb.check(
      "every request, refused or served, left exactly one audit line; no audit line carried tool output",
      audited === tally.sent + 1 &&
        helper.audit.unparsable === 0 &&
        !helper.stderrTail().includes("CANARY IN AUDIT"),
      `${audited} request audit lines for ${tally.sent + 1} requests (${helper.audit.requests.denied} denied, ${helper.audit.requests.failed} failed, ${helper.audit.requests.ok} ok), ${helper.audit.connects.ok} connections`,
      [
        `${tally.sent + 1 - audited} requests left no audit line`,
        ...(unfixedTotal > 0
          ? [
              `(the ${unfixedTotal} answered by vscode-jsonrpc itself never reach the helper's audit)`,
            ]
          : []),
        helper.stderrTail().slice(-300),
      ],
    );
  } finally {
    for (const p of peers) p.destroy();
    await helper.stop();
  }
  return rb.done();
}
