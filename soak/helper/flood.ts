// Connection flood and slow partial frames against the compiled helper with its production connection limits:
// 1,000 connections at once, each accepted one dribbling a frame a byte at a time. The connection cap and the
// frame timeout must hold, a well-behaved client must still be served, and the per-connection in-flight limit
// and the single pct create must hold under concurrent requests.
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_LIMITS } from "@felhom/root-helper";
import { mib } from "../lib/memory.js";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { openFds } from "./framing-fuzz.js";
import { startHelperProcess, type HelperProcess } from "./helper-process.js";
import { RawPeer } from "./wire.js";

export const FLOOD_ROUNDS: Readonly<Record<Profile, number>> = { test: 1, quick: 3, full: 10 };
const CONNECTIONS = 1000;
const LIMITS = { frameTimeoutMs: 2000, idleTimeoutMs: 3000 };
const SLOW_FRAME = Buffer.from(
  `Content-Length: 58\r\n\r\n${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} })}`,
);

interface Attacker {
  socket: Socket;
  connected: boolean;
  refused: boolean;
  closedAt?: number;
}

/** Opens one attacking connection that writes SLOW_FRAME one byte per 100 ms (never finishing in time). */
function attack(path: string, t0: number): Attacker {
  const socket = connect({ path });
  const a: Attacker = { socket, connected: false, refused: false };
  let i = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.on("connect", () => {
    a.connected = true;
    timer = setInterval(() => {
      if (i < SLOW_FRAME.length - 1) socket.write(SLOW_FRAME.subarray(i, ++i));
    }, 100);
  });
  socket.on("error", () => (a.refused = !a.connected));
  socket.on("close", () => {
    clearInterval(timer);
    a.closedAt = performance.now() - t0;
  });
  return a;
}

/** Tries a hello on a fresh connection every 50 ms until one is answered; resolves with the time it took. */
async function wellBehaved(
  path: string,
  t0: number,
  deadlineMs: number,
): Promise<{ ms?: number; attempts: number }> {
  let attempts = 0;
  while (performance.now() - t0 < deadlineMs) {
    attempts++;
    try {
      const peer = await RawPeer.open(path, 1000);
      const a = await peer.request(
        { jsonrpc: "2.0", id: 7, method: "helper.hello", params: {} },
        1000,
      );
      peer.destroy();
      if (a.result !== undefined) return { ms: Math.round(performance.now() - t0), attempts };
    } catch {
      // refused, closed by the connection cap, or no answer yet: try again
    }
    await sleep(50);
  }
  return { attempts };
}

async function round(
  helper: HelperProcess,
  rb: ResultBuilder,
  r: number,
  fdBase: number,
): Promise<string[]> {
  const problems: string[] = [];
  const t0 = performance.now();
  const attackers = Array.from({ length: CONNECTIONS }, () => attack(helper.socket, t0));
  let maxFds = 0;
  const sampler = setInterval(() => (maxFds = Math.max(maxFds, openFds(helper.pid) - fdBase)), 20);
  const served = wellBehaved(helper.socket, t0, LIMITS.frameTimeoutMs + 3000);
  await sleep(600);
  const aliveEarly = attackers.filter((a) => a.connected && a.closedAt === undefined).length;
  const good = await served;
  await sleep(LIMITS.frameTimeoutMs + 1000 - (performance.now() - t0));
  clearInterval(sampler);
  const alive = attackers.filter((a) => a.closedAt === undefined).length;
  for (const a of attackers) a.socket.destroy();
  const connected = attackers.filter((a) => a.connected).length;
  const refused = attackers.filter((a) => a.refused).length;
  if (r === 0) {
    rb.figure(
      "attackers per round: connected at the kernel / refused",
      `${connected} / ${refused}`,
    );
    rb.figure(
      "attackers still open 600 ms into the flood (cap: maxConnections)",
      `${aliveEarly} (cap ${DEFAULT_LIMITS.maxConnections})`,
    );
    rb.figure(
      "most helper-side connections seen at once (fd count over the idle baseline)",
      maxFds,
    );
    rb.figure(
      "well-behaved client first served after",
      good.ms === undefined ? "never" : `${good.ms} ms (${good.attempts} attempts)`,
    );
  }
  if (aliveEarly > DEFAULT_LIMITS.maxConnections)
    problems.push(`round ${r}: ${aliveEarly} attackers open at once`);
  if (maxFds > DEFAULT_LIMITS.maxConnections + 4)
    problems.push(`round ${r}: the helper held ${maxFds} extra fds at once`);
  if (alive > 0)
    problems.push(`round ${r}: ${alive} slow attackers still open after the frame timeout`);
  if (good.ms === undefined)
    problems.push(
      `round ${r}: the well-behaved client was never served (${good.attempts} attempts)`,
    );
  return problems;
}

/** Concurrency limits: 12 slow sensors requests on one connection, then two pct creates on two connections. */
async function inFlight(
  helper: HelperProcess,
): Promise<{ sensors: string; golden: string; problems: string[] }> {
  const problems: string[] = [];
  const peer = await RawPeer.open(helper.socket);
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      peer.request({ jsonrpc: "2.0", id: i + 1, method: "hw.sensors", params: {} }),
    ),
  );
  peer.destroy();
  const ok = answers.filter((a) => a.result !== undefined).length;
  const busy = answers.filter((a) => a.error?.code === -32001).length;
  const runs = (await helper.fake.takeCalls()).length;
  if (ok !== DEFAULT_LIMITS.maxInFlight || busy !== 12 - ok || runs !== ok)
    problems.push(
      `12 concurrent hw.sensors on one connection: ${ok} ok, ${busy} busy, ${runs} tool runs (limit ${DEFAULT_LIMITS.maxInFlight})`,
    );
  const create = {
    vmid: 9000,
    ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
    storage: "local-lvm",
    hostname: "golden",
    memory: 1024,
    cores: 2,
    rootfsGiB: 8,
    bridge: "vmbr0",
  };
  const peers = [await RawPeer.open(helper.socket), await RawPeer.open(helper.socket)];
  const creates = await Promise.all(
    peers.map((p, i) =>
      p.request({ jsonrpc: "2.0", id: i + 1, method: "golden.createContainer", params: create }),
    ),
  );
  for (const p of peers) p.destroy();
  const cOk = creates.filter((a) => a.result !== undefined).length;
  const cBusy = creates.filter((a) => a.error?.code === -32001).length;
  const cRuns = (await helper.fake.takeCalls()).length;
  if (cOk !== 1 || cBusy !== 1 || cRuns !== 1)
    problems.push(`two concurrent pct creates: ${cOk} ok, ${cBusy} busy, ${cRuns} runs`);
  return {
    sensors: `${ok} ok, ${busy} Busy, ${runs} tool runs`,
    golden: `${cOk} ok, ${cBusy} Busy, ${cRuns} pct runs`,
    problems,
  };
}

export async function runFlood(opts: { profile: Profile; rounds?: number }): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "helper-flood",
    "Root helper: 1,000 simultaneous connections and slow partial frames",
    opts.profile,
  );
  const rounds = opts.rounds ?? FLOOD_ROUNDS[opts.profile];
  const helper = await startHelperProcess({
    limits: LIMITS,
    delayMs: { sensors: 300, pct: 300 },
    devices: false,
  });
  try {
    const before = await helper.settledRss();
    const fdBase = openFds(helper.pid);
    const problems: string[] = [];
    for (let r = 0; r < rounds; r++) problems.push(...(await round(helper, rb, r, fdBase)));
    const limits = await inFlight(helper);
    await sleep(LIMITS.idleTimeoutMs + 500);
    const fdEnd = openFds(helper.pid);
    const after = await helper.settledRss();
    rb.figure("rounds of 1,000 connections", rounds);
    rb.figure("12 concurrent hw.sensors on one connection", limits.sensors);
    rb.figure("two concurrent golden.createContainer", limits.golden);
    rb.figure(
      "helper RSS after GC before / after; peak during the floods",
      `${mib(before)} / ${mib(after)} / ${mib(helper.peakRss() ?? 0)} MiB`,
    );
    rb.check(
      "the connection cap and the frame timeout held, and a well-behaved client was served during every flood",
      problems.length === 0,
      `${rounds} × ${CONNECTIONS} connections`,
      problems,
    );
    rb.check(
      "the in-flight limit per connection (4, the rest Busy) and one pct create at a time held",
      limits.problems.length === 0,
      `${limits.sensors}; ${limits.golden}`,
      limits.problems,
    );
    rb.check("no file descriptor leaked", fdEnd <= fdBase, `${fdBase} before, ${fdEnd} after`);
    rb.check("the helper stayed up", helper.alive(), "alive after every round");
  } finally {
    await helper.stop();
  }
  return rb.done();
}
