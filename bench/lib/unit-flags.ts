// The node flags of each daemon, read from its systemd unit in deploy/, so the bench runs the helper and the
// agent exactly as production does and the two cannot drift apart.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

/** The `--…` arguments between `/usr/bin/node` and the script in a unit's ExecStart= line. */
export function nodeFlagsOfUnit(unitText: string, unitName = "unit"): string[] {
  const lines = unitText.split("\n").filter((l) => l.startsWith("ExecStart="));
  if (lines.length !== 1)
    throw new Error(`${unitName}: expected one ExecStart= line, found ${lines.length}`);
  const argv = (lines[0] as string).slice("ExecStart=".length).trim().split(/\s+/);
  if (argv[0] !== "/usr/bin/node")
    throw new Error(`${unitName}: ExecStart= does not run /usr/bin/node: ${argv[0]}`);
  const script = argv.findIndex((a, i) => i > 0 && !a.startsWith("--"));
  if (script < 0) throw new Error(`${unitName}: ExecStart= names no script`);
  return argv.slice(1, script);
}

function unitFlags(unit: string): string[] {
  return nodeFlagsOfUnit(readFileSync(join(REPO_ROOT, "deploy", unit), "utf8"), unit);
}

/** `node` flags of felhom-root-helper.service. */
export const HELPER_NODE_FLAGS: readonly string[] = unitFlags("felhom-root-helper.service");

/** `node` flags of felhom-agent.service. */
export const AGENT_NODE_FLAGS: readonly string[] = unitFlags("felhom-agent.service");
