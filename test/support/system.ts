// The whole system for end-to-end tests: the PVE simulator over HTTPS, a real root helper process in sandbox mode
// (fake tools, temp socket) and the agent's config and token file; the CLI runs in process against them.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCli } from "@felhom/agent";
import { requiredPrivileges } from "@felhom/pve-client";
import { startSim } from "@felhom/pve-sim";
import type { Sim, SimOptions } from "@felhom/pve-sim";
import { startSandbox } from "../../demo/sandbox.js";
import type { Sandbox } from "../../demo/sandbox.js";
import { ROOT } from "../fence/imports.js";

export { ROOT };

/** The privileges the agent's role grants: the routing table's, plus SDN.Use for guests' bridges. */
export const ROLE_PRIVILEGES = [...new Set([...requiredPrivileges(), "SDN.Use"])];

/** Runs the helper from source in its own process (tests; the demo runs the built one). */
export const SOURCE_HELPER = [
  "--conditions=@felhom/source",
  "--import",
  "tsx",
  join(ROOT, "demo", "helper-process.ts"),
];

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface TestSystem {
  dir: string;
  sim: Sim;
  sandbox: Sandbox;
  configFile: string;
  tokenFile: string;
  tokenId: string;
  secret: string;
  config: Record<string, unknown>;
  /** Runs `felhom ARGS` in process with --config and --token-file added. */
  cli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** Writes another config file (e.g. with a different socket or fingerprint) and returns its path. */
  writeConfig(
    name: string,
    change: (c: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startSystem(simOptions: SimOptions = {}): Promise<TestSystem> {
  const dir = await mkdtemp(join(tmpdir(), "felhom-e2e-"));
  const sim = await startSim({
    quiet: true,
    taskDurationMs: 150,
    validateResponses: true,
    ...simOptions,
  });
  let sandbox: Sandbox | undefined;
  try {
    const token = sim.addToken({
      id: "felhom@pve!agent",
      privsep: true,
      acl: [{ path: "/", privs: ROLE_PRIVILEGES }],
    });
    const tokenFile = join(dir, "agent.token");
    await writeFile(tokenFile, `${token.secret}\n`, { mode: 0o600 });
    sandbox = await startSandbox({
      dir,
      root: ROOT,
      sim: { url: sim.url, ca: sim.ca, adminSecret: sim.adminSecret },
      helperArgs: SOURCE_HELPER,
    });
    const config: Record<string, unknown> = {
      pve: {
        url: sim.url,
        node: sim.node,
        tokenId: token.id,
        tls: { fingerprint256: sim.fingerprint256 },
      },
      helper: { socket: sandbox.socket },
      snapshot: {
        intervalSeconds: 0.2,
        stateFile: join(dir, "state.json"),
        ...(sandbox.smartDevice ? { disks: [sandbox.smartDevice] } : {}),
      },
      log: { level: "info" },
    };
    const configFile = join(dir, "agent.json");
    await writeFile(configFile, JSON.stringify(config));
    const box = sandbox;
    return {
      dir,
      sim,
      sandbox: box,
      configFile,
      tokenFile,
      tokenId: token.id,
      secret: token.secret,
      config,
      async cli(args, env = {}) {
        const io = memoryIo(env);
        const code = await runCli(["--config", configFile, "--token-file", tokenFile, ...args], io);
        return { code, out: io.out(), err: io.err() };
      },
      async writeConfig(name, change) {
        const path = join(dir, name);
        await writeFile(path, JSON.stringify(change(structuredClone(config))));
        return path;
      },
      async close() {
        await box.close();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sandbox?.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
