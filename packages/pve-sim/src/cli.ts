#!/usr/bin/env node
// The pve-sim command: starts the simulator, prints its URL, certificate fingerprint and a ready API token,
// and keeps running until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import { startSim } from "./sim.js";
import type { SimOptions } from "./types.js";

const USAGE = `usage: pve-sim [--port N] [--host ADDR] [--node NAME] [--seed N] [--extra-guests N]
               [--task-ms N] [--early-no-such-task-ms N] [--auth-delay-ms N] [--ca-out FILE] [--json] [--quiet]
  --port 0 picks any free port (default 8006)`;

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} needs a non-negative integer, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      node: { type: "string" },
      seed: { type: "string" },
      "extra-guests": { type: "string" },
      "task-ms": { type: "string" },
      "early-no-such-task-ms": { type: "string" },
      "auth-delay-ms": { type: "string" },
      "ca-out": { type: "string" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options: SimOptions = {
    port: int("port", values.port, 8006),
    seed: int("seed", values.seed, 1),
    extraGuests: int("extra-guests", values["extra-guests"], 0),
    taskDurationMs: int("task-ms", values["task-ms"], 300),
    earlyNoSuchTaskMs: int("early-no-such-task-ms", values["early-no-such-task-ms"], 25),
    authFailureDelayMs: int("auth-delay-ms", values["auth-delay-ms"], 0),
    quiet: values.quiet ?? false,
  };
  if (values.host) options.host = values.host;
  if (values.node) options.node = values.node;
  const sim = await startSim(options);
  if (values["ca-out"]) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(values["ca-out"], sim.ca);
  }
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ url: sim.url, port: sim.port, node: sim.node, fingerprint: sim.fingerprint256, token: sim.token.value, adminSecret: sim.adminSecret })}\n`,
    );
  } else {
    process.stdout.write(
      [
        `pve-sim listening on ${sim.url} (node ${sim.node}, API under /api2/json)`,
        `fingerprint: ${sim.fingerprint256}`,
        `token: ${sim.token.value}`,
        `admin secret: ${sim.adminSecret}`,
        `try: curl --insecure -H 'Authorization: PVEAPIToken=${sim.token.value}' ${sim.url}/api2/json/version`,
        "",
      ].join("\n"),
    );
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`pve-sim: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
});
