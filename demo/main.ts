// `npm start`: the whole felhom system on this machine with no Proxmox host. Starts the PVE simulator, a root
// helper in sandbox mode and the agent (the real `felhom` CLI and `felhom-agent` daemon, as processes), walks
// the routing table step by step saying which backend served each call, and leaves nothing running.
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROUTES, backendLabel } from "@felhom/agent";
import type { Operation } from "@felhom/agent";
import { startSim } from "@felhom/pve-sim";
import type { Sim } from "@felhom/pve-sim";
import { bold, cliRunner, green, red, say } from "./console.js";
import type { CliResult } from "./console.js";
import { runDaemonStep } from "./daemon-step.js";
import { BUILT, ROLE_PRIVILEGES, startAgentSide, USB_UUID } from "@felhom/test-support";
import type { Sandbox } from "@felhom/test-support";
import { walkRoutingTable } from "./steps.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { cli: CLI, daemon: DAEMON } = BUILT;

/** Records each step's expectation; the demo exits non-zero if anything behaved otherwise. */
export class Checklist {
  readonly failures: string[] = [];
  passed = 0;
  expect(ok: boolean, what: string): void {
    if (ok) this.passed++;
    else {
      this.failures.push(what);
      say(red(`     ✗ unexpected: ${what}`));
    }
  }
  exit(r: CliResult, code: number, what: string): CliResult {
    this.expect(r.code === code, `${what}: exit ${r.code}, expected ${code}`);
    return r;
  }
}

async function main(): Promise<number> {
  for (const f of [CLI, DAEMON, join(ROOT, "demo/dist/helper-process.js")]) {
    if (!existsSync(f)) {
      say(`felhom demo: ${f} is missing; run: npm run build`);
      return 1;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "felhom-demo-"));
  let sim: Sim | undefined;
  let sandbox: Sandbox | undefined;
  const checks = new Checklist();
  const served = new Map<string, string>();
  try {
    say(
      bold(
        "felhom demo: the agent, the root helper and a simulated Proxmox VE host on this machine",
      ),
    );
    sim = await startSim({
      quiet: true,
      seed: 11,
      taskDurations: { vzrestore: 1500, vzdump: 3500, vzstart: 600, vzsnapshot: 500 },
    });
    // The agent's token has exactly the routing table's privileges (plus SDN.Use: a restore or create with a
    // network device needs it on the bridge's zone since PVE 8); a second token lacks VM.Backup.
    const agent = await startAgentSide({ dir, root: ROOT, sim, intervalSeconds: 1 });
    sandbox = agent.sandbox;
    const noBackup = sim.addToken({
      id: "felhom@pve!nobackup",
      privsep: true,
      acl: [{ path: "/", privs: ROLE_PRIVILEGES.filter((p) => p !== "VM.Backup") }],
    });
    await writeFile(join(dir, "nobackup.token"), `${noBackup.secret}\n`, { mode: 0o600 });
    const { configFile } = agent;

    say(
      `   PVE simulator  ${sim.url} (PVE 9.1 API, node ${sim.node}), certificate pinned by SHA-256`,
    );
    say(
      `   root helper    pid ${sandbox.helperPid}, socket ${sandbox.socket}, fake pct/systemctl/smartctl/sensors/lsblk`,
    );
    say(
      `   agent          the felhom CLI and felhom-agent daemon, token ${agent.tokenId} (privilege-separated,`,
    );
    say(
      `                  exactly the routing table's privileges); every call below adds --config and --token-file`,
    );

    const cli = cliRunner(CLI, ["--config", configFile, "--token-file", agent.tokenFile]);
    const record = (r: CliResult): CliResult => {
      for (const s of r.served) served.set(s.op, s.backend);
      return r;
    };
    await walkRoutingTable({
      cli: { run: async (args, opts) => record(await cli.run(args, opts)) },
      checks,
      sim,
      sandbox,
      usbUuid: USB_UUID,
      noBackup: ["--token-id", noBackup.id, "--token-file", join(dir, "nobackup.token")],
    });
    await runDaemonStep({
      daemonJs: DAEMON,
      configFile,
      tokenFile: agent.tokenFile,
      checks,
      secret: agent.secret,
    });

    say();
    say(
      bold(
        "── routing: each operation the demo called, and the backend that served it (reported by the facade)",
      ),
    );
    for (const [op, backend] of [...served.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const expected = backendLabel(ROUTES[op as Operation].backend);
      checks.expect(
        backend === expected,
        `${op} was served by ${backend}, the table says ${expected}`,
      );
      say(`   ${op.padEnd(16)} ${backend}`);
    }
  } catch (err) {
    checks.failures.push(err instanceof Error ? err.message : String(err));
    say(red(`felhom demo: ${err instanceof Error ? err.message : String(err)}`));
  } finally {
    await sandbox?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  }
  const leftovers = sandbox !== undefined && !sandbox.exited() ? ["the root helper"] : [];
  if (leftovers.length > 0) checks.failures.push(`still running: ${leftovers.join(", ")}`);
  say();
  if (checks.failures.length === 0) {
    say(
      green(
        `✓ demo complete: ${checks.passed} checks as expected; simulator, helper and agent stopped, temp files removed`,
      ),
    );
    return 0;
  }
  say(red(`✗ demo finished with ${checks.failures.length} unexpected result(s):`));
  for (const f of checks.failures) say(red(`   - ${f}`));
  return 1;
}

process.exitCode = await main();
// Nothing may keep the process alive after the demo: report it if something does.
setTimeout(() => {
  process.stderr.write(
    `felhom demo: something kept running after the end (${process.getActiveResourcesInfo().join(", ")})\n`,
  );
  process.exit(1);
}, 5_000).unref();
