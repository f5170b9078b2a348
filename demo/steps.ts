// The demo's walk through the routing table (DESIGN section 1), one real `felhom` command per step: node status,
// guests, a restore with a new network identity, start, snapshot, config, a backup with live progress, a task
// that fails inside after its POST returned 200, the golden-image create and a USB mount through the root
// helper, SMART and sensors.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Sim } from "@felhom/pve-sim";
import type { Checklist } from "./main.js";
import { dim, say, step } from "./console.js";
import type { CliRunner } from "./console.js";
import type { Sandbox } from "@felhom/test-support";

export interface WalkContext {
  cli: CliRunner;
  checks: Checklist;
  sim: Sim;
  sandbox: Sandbox;
  usbUuid: string;
  /** Options that switch the CLI to the token without VM.Backup. */
  noBackup: readonly string[];
}

interface GuestJson {
  status: { status: string };
  config: {
    hostname?: string;
    net: Record<string, { hwaddr?: string }>;
    features?: Record<string, boolean>;
  };
}

/** The --json output of a command, or undefined when it failed. */
function json<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export async function walkRoutingTable(w: WalkContext): Promise<void> {
  const { cli, checks, sim, sandbox } = w;

  step(
    "start-up checks",
    "felhom doctor runs what the daemon checks at start: TLS pin, token, privileges, helper",
  );
  checks.exit(await cli.run(["doctor"]), 0, "doctor");

  step("node status", "routing row: node status, resources, metrics (rrddata) → API");
  checks.exit(await cli.run(["status"]), 0, "status");

  step("guests", "routing row: list guests (lxc + qemu), per-guest status and config → API");
  checks.exit(await cli.run(["guests"]), 0, "guests");

  step("storage content", "routing row: storage list, storage content → API");
  const content = checks.exit(
    await cli.run(["content", "local", "--content", "backup"]),
    0,
    "content",
  );
  const archive = /local:backup\/vzdump-lxc-100-\S+/.exec(content.stdout)?.[0];
  checks.expect(archive !== undefined, "a backup of CT 100 is listed");

  step(
    "restore alongside the original",
    "routing row: restore LXC from archive → API; unique=1 gives new MACs and a new hostname before any start",
  );
  checks.exit(
    await cli.run([
      "restore",
      "110",
      "--archive",
      archive ?? "missing",
      "--storage",
      "local-lvm",
      "--hostname",
      "web-copy",
      "--progress",
    ]),
    0,
    "restore",
  );
  const original = json<GuestJson>(
    (await cli.run(["guest", "100", "--json"], { quiet: true })).stdout,
  );
  const copy = json<GuestJson>((await cli.run(["guest", "110", "--json"], { quiet: true })).stdout);
  const macA = original?.config.net["0"]?.hwaddr;
  const macB = copy?.config.net["0"]?.hwaddr;
  say(dim(`     CT 100: hostname ${original?.config.hostname ?? "?"}, MAC ${macA ?? "?"}`));
  say(
    dim(
      `     CT 110: hostname ${copy?.config.hostname ?? "?"}, MAC ${macB ?? "?"}  (a new network identity)`,
    ),
  );
  checks.expect(copy?.config.hostname === "web-copy", "the restored CT has the new hostname");
  checks.expect(
    macA !== undefined && macB !== undefined && macA !== macB,
    "the restored CT has a new MAC",
  );

  step(
    "start",
    "routing row: start, stop, shutdown guest → API (the task is awaited, its log streamed)",
  );
  checks.exit(await cli.run(["start", "110"]), 0, "start");

  step("snapshot", "routing row: snapshot, rollback, delete snapshot → API");
  checks.exit(
    await cli.run(["snapshot", "110", "before-change", "--description", "demo"]),
    0,
    "snapshot",
  );

  step(
    "set config",
    "routing row: set config: memory, cores, net, options, mount points → API (LXC: synchronous)",
  );
  checks.exit(await cli.run(["config", "110", "--memory", "1024", "--cores", "2"]), 0, "config");

  step("backup with live progress", "routing row: vzdump backup, stop / snapshot mode → API");
  checks.exit(
    await cli.run(["backup", "110", "--storage", "local", "--mode", "snapshot", "--progress"]),
    0,
    "backup",
  );

  step(
    "a task that fails after its POST returned 200",
    "the same backup with a token that lacks VM.Backup: PVE accepts the POST (200 + UPID), the task fails inside",
  );
  const failed = checks.exit(
    await cli.run(["backup", "100", "--storage", "local", "--mode", "snapshot"], {
      extra: w.noBackup,
    }),
    1,
    "backup without VM.Backup",
  );
  checks.expect(
    /failed inside the task/.test(failed.stderr),
    "the CLI reports the task's own error",
  );
  const upid = /task (UPID:\S+)/.exec(failed.stdout)?.[1];
  const posts = sim.requests.filter(
    (r) => r.method === "POST" && r.path.endsWith("/vzdump") && r.upid === upid,
  );
  checks.expect(
    posts.length === 1 && posts[0]?.status === 200,
    "the POST was answered 200 with a task id",
  );

  step("task history", "routing row: task status, task log → API");
  checks.exit(await cli.run(["tasks", "--limit", "6"]), 0, "tasks");

  step(
    "golden image through the root helper",
    "routing row: golden-image `pct create` with features keyctl=1 → root helper (only root@pam may set keyctl)",
  );
  checks.exit(
    await cli.run([
      "golden",
      "create",
      "9000",
      "--template",
      "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
      "--storage",
      "local-lvm",
      "--hostname",
      "golden",
    ]),
    0,
    "golden create",
  );
  const audit = sandbox.audit.map(parseAudit).find((a) => a?.method === "golden.createContainer");
  if (audit?.argv)
    say(dim(`     helper audit: ${audit.decision ?? "?"}, exec ${audit.argv.join(" ")}`));
  checks.expect(audit !== undefined, "the helper audited the request");
  const golden = json<GuestJson>(
    (await cli.run(["guest", "9000", "--json"], { quiet: true })).stdout,
  );
  say(
    dim(
      `     the API now shows CT 9000 with features ${JSON.stringify(golden?.config.features ?? {})}`,
    ),
  );
  checks.expect(golden?.config.features?.keyctl === true, "CT 9000 has keyctl=1");

  step(
    "USB disk mount through the root helper",
    "routing row: USB disk mount by filesystem UUID → root helper",
  );
  checks.exit(
    await cli.run(["usb", "mount", w.usbUuid, "backup-disk", "--fstype", "ext4"]),
    0,
    "usb mount",
  );
  const units = await readdir(sandbox.unitDir);
  const unit = units.find((u) => u.endsWith(".mount"));
  if (unit !== undefined) {
    say(dim(`     the helper wrote ${unit} (systemd then starts it as PID 1):`));
    for (const l of (await readFile(join(sandbox.unitDir, unit), "utf8")).trimEnd().split("\n"))
      say(dim(`       ${l}`));
  }
  checks.expect(unit !== undefined, "a mount unit was written");
  checks.exit(await cli.run(["usb", "unmount", "backup-disk"]), 0, "usb unmount");
  checks.expect((await readdir(sandbox.unitDir)).length === 0, "the unit was removed again");

  step(
    "SMART and sensors through the root helper",
    "routing row: SMART and hardware sensors → root helper",
  );
  if (sandbox.smartDevice !== undefined) {
    say(
      dim(
        `     (${sandbox.smartDevice}: ${sandbox.smartNote}; the fake smartctl answers for a Samsung SSD)`,
      ),
    );
    checks.exit(await cli.run(["smart", sandbox.smartDevice]), 0, "smart");
  } else {
    say(dim(`     SMART skipped: ${sandbox.smartNote}`));
  }
  checks.exit(await cli.run(["sensors"]), 0, "sensors");
}

function parseAudit(
  line: string,
): { method?: string; decision?: string; argv?: string[] } | undefined {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    // The helper notes each exec as `exec: [{ argv, exitCode, ms }]` (or a flat `argv`).
    const first: unknown = Array.isArray(v.exec)
      ? (v.exec[0] as { argv?: unknown } | undefined)?.argv
      : v.argv;
    const argv = Array.isArray(first) ? first.map(String) : undefined;
    return {
      ...(typeof v.method === "string" ? { method: v.method } : {}),
      ...(typeof v.decision === "string" ? { decision: v.decision } : {}),
      ...(argv ? { argv } : {}),
    };
  } catch {
    return undefined;
  }
}
