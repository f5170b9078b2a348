// The simulator in its own process (so it never shares the client's event loop): spawns the compiled pve-sim
// CLI, reads the URL, fingerprint and token it prints, fetches its certificate as a CA, and offers the admin
// endpoint, the process's CPU time and a clean stop.
import { spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { connect } from "node:tls";
import undici from "undici";
import { processCpuMs, processRssBytes } from "./proc.js";
import { REPO_ROOT } from "./paths.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { Agent, request } = undici;

/** The compiled simulator CLI (BENCH_SIM_CLI names another entry, e.g. to compare simulator versions). */
export const SIM_CLI = process.env.BENCH_SIM_CLI ?? join(REPO_ROOT, "packages/pve-sim/dist/cli.js");

export interface SimProcessOptions {
  extraGuests?: number;
  seed?: number;
  /** More CLI arguments. */
  args?: string[];
  /** Where to write the CA file (for proxmoxer); default: none. */
  caFile?: string;
}

export interface SimProcess {
  url: string;
  host: string;
  port: number;
  node: string;
  fingerprint256: string;
  /** PEM of the simulator's self-signed certificate, to trust it as a CA. */
  ca: string;
  caFile: string | undefined;
  token: { id: string; user: string; name: string; secret: string; value: string };
  adminSecret: string;
  pid: number;
  /** The CLI's stderr so far (for error messages). */
  output(): string;
  cpuMs(): number;
  rssBytes(): number;
  /** A call to the /_sim admin endpoint; throws unless it answers 2xx. */
  admin(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** What `pve-sim --json` prints once it listens. */
interface Banner {
  url: string;
  port: number;
  node: string;
  fingerprint: string;
  /** "USER@REALM!TOKENID=SECRET". */
  token: string;
  adminSecret: string;
}

function waitForBanner(child: ChildProcess, timeoutMs: number, log: () => string): Promise<Banner> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`pve-sim printed nothing within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code: number | null): void => fail(new Error(`pve-sim exited with ${code}`));
    const lines = createInterface({ input: child.stdout as Readable });
    const onLine = (line: string): void => {
      try {
        const b = JSON.parse(line) as Banner;
        if (typeof b.url === "string" && typeof b.token === "string") {
          cleanup();
          resolve(b);
        }
      } catch {
        // not the banner
      }
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      lines.off("line", onLine);
      lines.close();
      child.off("exit", onExit);
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(new Error(`${err.message}; output: ${log().slice(0, 2000)}`));
    };
    lines.on("line", onLine);
    child.once("exit", onExit);
  });
}

/** The server's leaf certificate as PEM, checked against the fingerprint the simulator printed. */
async function fetchCertificate(host: string, port: number, fingerprint: string): Promise<string> {
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(
      { host, port, rejectUnauthorized: false, servername: "localhost" },
      () => {
        const cert = socket.getPeerCertificate();
        socket.destroy();
        resolve(cert.raw);
      },
    );
    socket.once("error", reject);
  });
  const x509 = new X509Certificate(raw);
  if (x509.fingerprint256.toUpperCase() !== fingerprint.toUpperCase())
    throw new Error("the simulator's certificate does not match the fingerprint it printed");
  return x509.toString();
}

export async function spawnSim(opts: SimProcessOptions = {}): Promise<SimProcess> {
  const args = [SIM_CLI, "--port", "0", "--seed", String(opts.seed ?? 1), "--json", "--quiet"];
  if (opts.extraGuests) args.push("--extra-guests", String(opts.extraGuests));
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stderr.on("data", (c: Buffer) => void (text.length < 100_000 && (text += c.toString())));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let banner: Banner;
  try {
    banner = await waitForBanner(child, 20_000, () => text);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  child.stdout.resume(); // nothing more is read from it
  const url = banner.url.replace(/\/+$/, "");
  const u = new URL(url);
  const fingerprint256 = banner.fingerprint;
  const t = /^([^!]+)!([^=]+)=(.+)$/.exec(banner.token) ?? [];
  const [user, name, secret] = [t[1] ?? "", t[2] ?? "", t[3] ?? ""];
  const ca = await fetchCertificate(u.hostname, Number(u.port), fingerprint256);
  if (opts.caFile) await writeFile(opts.caFile, ca);
  const adminSecret = banner.adminSecret;
  const adminAgent = new Agent({ connect: { ca, servername: "localhost" } });
  const pid = child.pid ?? -1;
  return {
    url,
    host: u.hostname,
    port: Number(u.port),
    node: banner.node,
    fingerprint256,
    ca,
    caFile: opts.caFile,
    token: { id: `${user}!${name}`, user, name, secret, value: `${user}!${name}=${secret}` },
    adminSecret,
    pid,
    output: () => text,
    cpuMs: () => processCpuMs(pid),
    rssBytes: () => processRssBytes(pid),
    async admin(method, path, body) {
      const res = await request(`${url}${path}`, {
        method,
        dispatcher: adminAgent,
        headers: {
          authorization: `PVESimAdmin ${adminSecret}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const answer = await res.body.text();
      if (res.statusCode >= 300)
        throw new Error(`admin ${method} ${path}: ${res.statusCode} ${answer.slice(0, 300)}`);
      return JSON.parse(answer) as unknown;
    },
    async close() {
      await adminAgent.close();
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
