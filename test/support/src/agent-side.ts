// The one start-up of the agent's side of a sandboxed system, shared by the demo, the end-to-end tests and the
// run-time fence: the agent's token in the simulator, its token file, the root helper process and the config.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requiredPrivileges } from "@felhom/pve-client";
import type { Sim } from "@felhom/pve-sim";
import { startSandbox } from "./sandbox.js";
import type { Sandbox } from "./sandbox.js";

/** The privileges the agent's role grants: the routing table's, plus SDN.Use for guests' bridges (PVE 8+). */
export const ROLE_PRIVILEGES: readonly string[] = [
  ...new Set([...requiredPrivileges(), "SDN.Use"]),
];

export interface AgentSideOptions {
  dir: string;
  root: string;
  sim: Sim;
  /** The snapshot loop's interval in the agent's config. */
  intervalSeconds: number;
  /** Node arguments that start the helper (see SandboxOptions); default: the built helper-process.js. */
  helperArgs?: readonly string[];
  /** Environment of the helper process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface AgentSide {
  sandbox: Sandbox;
  tokenId: string;
  secret: string;
  tokenFile: string;
  config: Record<string, unknown>;
  configFile: string;
}

/** Adds the agent's token, starts the root helper and writes the agent's config (agent.json) into dir. */
export async function startAgentSide(opts: AgentSideOptions): Promise<AgentSide> {
  const { dir, sim } = opts;
  const token = sim.addToken({
    id: "felhom@pve!agent",
    privsep: true,
    acl: [{ path: "/", privs: [...ROLE_PRIVILEGES] }],
  });
  const tokenFile = join(dir, "agent.token");
  await writeFile(tokenFile, `${token.secret}\n`, { mode: 0o600 });
  const sandbox = await startSandbox({
    dir,
    root: opts.root,
    sim: { url: sim.url, ca: sim.ca, adminSecret: sim.adminSecret },
    ...(opts.helperArgs ? { helperArgs: opts.helperArgs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
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
      intervalSeconds: opts.intervalSeconds,
      stateFile: join(dir, "state.json"),
      ...(sandbox.smartDevice ? { disks: [sandbox.smartDevice] } : {}),
    },
    log: { level: "info" },
  };
  const configFile = join(dir, "agent.json");
  await writeFile(configFile, JSON.stringify(config, null, 2)).catch(async (err: unknown) => {
    await sandbox.close();
    throw err;
  });
  return { sandbox, tokenId: token.id, secret: token.secret, tokenFile, config, configFile };
}
