// Pure argv builders: together they are the complete list of command lines the helper can run. Every value in
// them comes from a validated contract shape or from code; the property tests compare exec'd argv to these.
import type { ParamsOf } from "@felhom/helper-protocol";
import type { ToolPaths } from "./config.js";

/** An absolute binary and its arguments, exec'd as is (no shell, no PATH lookup). */
export type Argv = readonly [file: string, ...args: string[]];

/** The lsblk columns the USB eligibility check reads. */
export const LSBLK_COLUMNS = "NAME,PATH,TYPE,TRAN,UUID,FSTYPE,MOUNTPOINTS,PKNAME";

/**
 * `pct create` exactly as DESIGN section 4. No `--` before the operands: pct parses with Getopt::Long, where
 * `--` ends option parsing, so every option after it would become an extra operand. VMID is an integer and
 * OSTEMPLATE starts with a letter, so neither can be read as an option.
 */
export function pctCreate(tools: ToolPaths, p: ParamsOf<"createContainer">): Argv {
  return [
    tools.pct,
    "create",
    String(p.vmid),
    p.ostemplate,
    ...["--storage", p.storage, "--hostname", p.hostname],
    ...["--memory", String(p.memory), "--cores", String(p.cores)],
    ...["--rootfs", `${p.storage}:${p.rootfsGiB}`],
    ...["--net0", `name=eth0,bridge=${p.bridge},ip=dhcp`],
    ...["--unprivileged", "1", "--features", "nesting=1,keyctl=1"],
  ];
}

export function lsblk(tools: ToolPaths): Argv {
  return [tools.lsblk, "--json", "--bytes", "--list", "--output", LSBLK_COLUMNS];
}

export function daemonReload(tools: ToolPaths): Argv {
  return [tools.systemctl, "daemon-reload"];
}

/** `verb` is a literal from code; `unit` is the escaped name of a path under the mount base. */
export function systemctlNow(tools: ToolPaths, verb: "enable" | "disable", unit: string): Argv {
  return [tools.systemctl, verb, "--now", "--", unit];
}

export function smartctl(tools: ToolPaths, device: ParamsOf<"smart">["device"]): Argv {
  return [tools.smartctl, "--json=c", "--all", "--", device];
}

export function sensors(tools: ToolPaths): Argv {
  return [tools.sensors, "-j"];
}
