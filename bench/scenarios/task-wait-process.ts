// Runs one pve-client wait in a fresh process, as the CLI does (helper/wait-child.mjs): spawned and ready
// (modules loaded, no connection yet) before the round, then told to start its task and wait.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { childLines } from "../lib/child-lines.js";
import { BENCH_DIR } from "../lib/paths.js";
import type { SimProcess } from "../lib/sim-process.js";

export interface ClientWaitJob {
  vmid: number;
  action: "start" | "stop";
  /** WaitOptions for waitTask (plain JSON). */
  wait: { timeoutMs: number; expectedMs?: number; estimateFromTaskList?: boolean };
}

export interface ClientWait {
  vmid: number;
  upid: string;
  /** Epoch ms when waitTask returned. */
  returnedMs: number;
  /** The wait's "pve task wait estimate" log line. */
  estimate: { source: string; expectedMs?: number; listMs?: number; samples?: number } | undefined;
}

export interface ClientWaitProcess {
  go(): Promise<ClientWait>;
  kill(): void;
}

/** Spawns the process for one wait and resolves once it is ready. */
export function prepareClientWait(sim: SimProcess, job: ClientWaitJob): Promise<ClientWaitProcess> {
  const child = spawn(process.execPath, [join(BENCH_DIR, "helper/wait-child.mjs")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const nextLine = childLines(child, "wait process");
  child.stdin.write(
    `${JSON.stringify({ url: sim.url, token: sim.token.value, ca: sim.ca, node: sim.node, ...job })}\n`,
  );
  return nextLine().then((first) => {
    if (first !== "ready") throw new Error(`wait process said ${first.slice(0, 300)}`);
    return {
      async go() {
        child.stdin.end("go\n");
        const r = JSON.parse(await nextLine()) as Record<string, unknown>;
        if (typeof r.error === "string")
          throw new Error(`pve-client wait for ${job.vmid} failed: ${r.error}`);
        if (r.outcome !== "ok")
          throw new Error(`pve-client wait for ${String(r.upid)} ended ${String(r.outcome)}`);
        return {
          vmid: job.vmid,
          upid: r.upid as string,
          returnedMs: r.returnedMs as number,
          estimate: r.estimate as ClientWait["estimate"],
        };
      },
      kill: () => void child.kill("SIGKILL"),
    };
  });
}
