// The review's flood (issue 14): 16 connections of the agent's uid send helper.hello as fast as the helper takes
// them and never read an answer, reconnecting whenever the helper closes them, for 90 s (full profile) against
// the helper under its unit's node flags and production limits. The helper's RSS is sampled throughout (it must
// stay within idle + 15 MiB), no tool may run, and once the flood stops a well-behaved client's hellos must be
// answered within 50 ms at the 99th percentile.
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { mib } from "../lib/memory.js";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { startHelperProcess } from "./helper-process.js";
import { RawPeer, frame } from "./wire.js";

export const HELLO_FLOOD_SECONDS: Readonly<Record<Profile, number>> = {
  test: 5,
  quick: 30,
  full: 90,
};
const FLOODERS = 16;
const AFTER = 200; // hellos of the well-behaved client once the flood has stopped
const HELLOS = Buffer.concat(
  Array.from({ length: 64 }, (_, i) =>
    frame(JSON.stringify({ jsonrpc: "2.0", id: i, method: "helper.hello", params: {} })),
  ),
);

/** One flooding connection: writes hellos whenever the socket takes them, never reads, reconnects on close. */
function flooder(
  path: string,
  stats: { sent: number; connections: number },
  stop: { now: boolean },
) {
  let socket: Socket | undefined;
  const open = (): void => {
    if (stop.now) return;
    stats.connections++;
    const s = connect({ path });
    socket = s;
    s.pause(); // never read an answer
    s.on("error", () => undefined);
    const write = (): void => {
      while (!stop.now && !s.destroyed && s.write(HELLOS)) stats.sent += 64;
      if (!s.destroyed) s.once("drain", write);
    };
    s.once("connect", write);
    s.once("close", () => void setTimeout(open, 10));
  };
  open();
  return () => socket?.destroy();
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function runHelloFlood(opts: {
  profile: Profile;
  seconds?: number;
}): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "helper-hello-flood",
    "Root helper: 16 connections flooding helper.hello without reading",
    opts.profile,
  );
  const seconds = opts.seconds ?? HELLO_FLOOD_SECONDS[opts.profile];
  const helper = await startHelperProcess({ devices: false });
  try {
    const first = await RawPeer.open(helper.socket);
    await first.request({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} });
    first.destroy();
    await sleep(1000);
    const idle = helper.rss() ?? 0;
    const stats = { sent: 0, connections: 0 };
    const stop = { now: false };
    const samples: Array<[number, number]> = [];
    const t0 = performance.now();
    const kills = Array.from({ length: FLOODERS }, () => flooder(helper.socket, stats, stop));
    while (performance.now() - t0 < seconds * 1000) {
      await sleep(500);
      samples.push([Math.round((performance.now() - t0) / 1000), helper.rss() ?? 0]);
    }
    stop.now = true;
    for (const kill of kills) kill();
    await sleep(200);
    const peer = await RawPeer.open(helper.socket);
    const ms: number[] = [];
    for (let i = 0; i < AFTER; i++) {
      const t = performance.now();
      const a = await peer.request({ jsonrpc: "2.0", id: i, method: "helper.hello", params: {} });
      if (a.result !== undefined) ms.push(performance.now() - t);
    }
    peer.destroy();
    ms.sort((a, b) => a - b);
    const peak = Math.max(...samples.map(([, rss]) => rss));
    const calls = await helper.fake.takeCalls();
    const series = samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 10)) === 0);
    rb.figure(
      "flood",
      `${FLOODERS} connections × ${seconds} s, ${stats.connections} connections made`,
    );
    rb.figure("hellos written by the flooders (the helper read only what it answered)", stats.sent);
    rb.figure("helper requests audited (ok)", helper.audit.requests.ok);
    rb.figure("helper RSS idle / peak during the flood", `${mib(idle)} / ${mib(peak)} MiB`);
    rb.figure(
      "helper RSS over time (s: MiB)",
      series.map(([s, r]) => `${s}: ${mib(r)}`).join(", "),
    );
    rb.figure(
      `well-behaved hellos after the flood (${AFTER}): p50 / p99 / max`,
      `${percentile(ms, 50).toFixed(2)} / ${percentile(ms, 99).toFixed(2)} / ${(ms.at(-1) ?? NaN).toFixed(2)} ms`,
    );
    rb.check(
      "the helper's RSS stayed within idle + 15 MiB throughout the flood",
      peak <= idle + 15 * 1024 * 1024,
      `idle ${mib(idle)} MiB, peak ${mib(peak)} MiB`,
    );
    rb.check("no tool ran", calls.length === 0, `${calls.length} tool runs`);
    rb.check(
      "once the flood stopped, a well-behaved client was answered within 50 ms at p99",
      ms.length === AFTER && percentile(ms, 99) <= 50,
      `${ms.length}/${AFTER} answered, p99 ${percentile(ms, 99).toFixed(2)} ms`,
    );
    rb.check("the helper stayed up", helper.alive(), "alive after the flood");
  } finally {
    await helper.stop();
  }
  return rb.done();
}
