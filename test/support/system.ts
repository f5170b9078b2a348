// The whole system for end-to-end tests: the PVE simulator over HTTPS, a real root helper process in sandbox mode
// (fake tools, temp socket) and the agent's config and token file; the CLI runs in process against them.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCli } from "@felhom/agent";
import { startSim } from "@felhom/pve-sim";
import type { Sim, SimOptions } from "@felhom/pve-sim";
import { ROLE_PRIVILEGES, startAgentSide } from "@felhom/test-support";
import type { Sandbox } from "@felhom/test-support";
import { ROOT } from "../fence/imports.js";

export { ROLE_PRIVILEGES, ROOT };

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
  try {
    const agent = await startAgentSide({
      dir,
      root: ROOT,
      sim,
      intervalSeconds: 0.2,
      helperArgs: SOURCE_HELPER,
    });
    const { sandbox, tokenFile, configFile, config } = agent;
    return {
      dir,
      sim,
      sandbox,
      configFile,
      tokenFile,
      tokenId: agent.tokenId,
      secret: agent.secret,
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
        await sandbox.close();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    // startAgentSide stops the helper itself when it fails after starting it.
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
