// Parent side of the simulator child: starts it with tsx from source, waits for its address and token, and
// turns the IPC commands into typed async calls. close() ends the child and waits for it.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type {
  CompactRequest,
  CompactTask,
  SimBackup,
  SimChildOptions,
  SimCommand,
  SimGuest,
  SimReady,
} from "./sim-protocol.js";

const CHILD = fileURLToPath(new URL("./sim-child.ts", import.meta.url));

export interface RemoteSim extends SimReady {
  pid: number;
  installFaults(): Promise<void>;
  clearFaults(): Promise<void>;
  hits(): Promise<number[]>;
  requests(from?: number): Promise<CompactRequest[]>;
  requestCount(): Promise<number>;
  tasks(): Promise<CompactTask[]>;
  drain(timeoutMs: number): Promise<number>;
  guests(): Promise<SimGuest[]>;
  backups(): Promise<SimBackup[]>;
  reap(vmid: number): Promise<"removed" | "absent" | "busy">;
  pruneBackups(keep: number): Promise<number>;
  rss(): Promise<number>;
  close(): Promise<void>;
}

export async function startRemoteSim(options: SimChildOptions): Promise<RemoteSim> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ["--conditions=@felhom/source", "--import", "tsx"],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<SimReady>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`pve-sim child exited (${code}) before it was ready: ${stderr}`)),
    );
    child.on("message", (raw) => {
      const m = raw as {
        ready?: SimReady;
        id?: number;
        ok?: boolean;
        value?: unknown;
        error?: string;
      };
      if (m.ready) return resolve(m.ready);
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p || m.id === undefined) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`pve-sim child: ${m.error ?? "failed"}`));
    });
  });
  child.on("exit", () => {
    for (const p of pending.values()) p.reject(new Error("pve-sim child exited"));
    pending.clear();
  });
  const info = await ready;
  const call = <T>(cmd: SimCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...cmd, id });
    });
  return {
    ...info,
    pid: child.pid ?? -1,
    installFaults: () => call<unknown>({ cmd: "faults" }).then(() => undefined),
    clearFaults: () => call<unknown>({ cmd: "clearFaults" }).then(() => undefined),
    hits: () => call({ cmd: "hits" }),
    requests: (from = 0) => call({ cmd: "requests", from }),
    requestCount: () => call({ cmd: "requestCount" }),
    tasks: () => call({ cmd: "tasks" }),
    drain: (timeoutMs) => call({ cmd: "drain", timeoutMs }),
    guests: () => call({ cmd: "guests" }),
    backups: () => call({ cmd: "backups" }),
    reap: (vmid) => call({ cmd: "reap", vmid }),
    pruneBackups: (keep) => call({ cmd: "pruneBackups", keep }),
    rss: () => call({ cmd: "rss" }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
