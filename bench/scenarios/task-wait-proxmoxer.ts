// Runs the proxmoxer side of the task-wait scenario: a Python process that warms one connection per job, says
// "ready", and on "go" starts each job's task and waits like proxmoxer's blocking_status (py/proxmoxer_wait.py).
import { spawn } from "node:child_process";
import { childLines } from "../lib/child-lines.js";
import { BENCH_DIR, PYTHON } from "../lib/paths.js";
import type { SimProcess } from "../lib/sim-process.js";

export interface WaitJob {
  vmid: number;
  action: "start" | "stop";
}

export interface ProxmoxerWait {
  vmid: number;
  upid: string;
  /** Epoch ms when blocking_status returned. */
  returnedMs: number;
  status: string | null;
  exitstatus: string | null;
  early400: number;
}

export interface ProxmoxerSession {
  /** Starts the tasks; resolves when every wait has returned. */
  go(): Promise<ProxmoxerWait[]>;
  kill(): void;
}

/** Spawns the Python driver and resolves once it is ready (connections warm). */
export function prepareProxmoxerWaits(sim: SimProcess, jobs: WaitJob[]): Promise<ProxmoxerSession> {
  if (!sim.caFile) throw new Error("proxmoxer needs the simulator's CA in a file");
  const child = spawn(PYTHON, [`${BENCH_DIR}/py/proxmoxer_wait.py`], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const nextLine = childLines(child, "proxmoxer driver");
  child.stdin.write(
    `${JSON.stringify({
      host: sim.host,
      port: sim.port,
      user: sim.token.user,
      token_name: sim.token.name,
      secret: sim.token.secret,
      ca_file: sim.caFile,
      node: sim.node,
      jobs,
    })}\n`,
  );
  return nextLine().then((first) => {
    if (first !== "ready") throw new Error(`proxmoxer driver said ${first.slice(0, 300)}`);
    return {
      async go() {
        child.stdin.end("go\n");
        const out = JSON.parse(await nextLine()) as Array<Record<string, unknown>>;
        return out.map((r) => {
          if (typeof r.error === "string")
            throw new Error(`proxmoxer wait for ${String(r.vmid)} failed: ${r.error}`);
          return {
            vmid: r.vmid as number,
            upid: r.upid as string,
            returnedMs: r.returned_ms as number,
            status: (r.status ?? null) as string | null,
            exitstatus: (r.exitstatus ?? null) as string | null,
            early400: r.early400 as number,
          };
        });
      },
      kill: () => void child.kill("SIGKILL"),
    };
  });
}
