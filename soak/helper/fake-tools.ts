// Fast fake tools for the helper soak: /bin/sh scripts (a fork + exec of dash, not a node start) that record
// their exact argv NUL-separated in a file per run, print the root helper's real-shaped fixtures, and write a
// canary on stderr that must never cross the socket.
import { chmod, mkdir, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fixture } from "@felhom/test-support/fake-tools";

export const TOOL_NAMES = ["pct", "systemctl", "smartctl", "sensors", "lsblk"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export { fixture };

/** Canned stdout per tool (real shapes from the shared test support's fixtures). */
function cannedStdout(tool: ToolName): string {
  switch (tool) {
    case "lsblk":
      return fixture("lsblk-host.txt");
    case "smartctl":
      return fixture("smartctl-sata-ssd.txt");
    case "sensors":
      return fixture("sensors-coretemp-drivetemp.txt");
    case "pct":
      return "extracting archive '/var/lib/vz/template/cache/x.tar.zst'\nTotal bytes read: 1\n";
    case "systemctl":
      return "";
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface FakeShTools {
  tools: Record<ToolName, string>;
  callsDir: string;
  /** Every run since the last call, each as its exact argv (argv[0] = the absolute tool path); clears them. */
  takeCalls(): Promise<string[][]>;
}

/** Writes the fakes into dir/bin; `delayMs` makes a tool sleep (an exec of /bin/sleep) before it answers. */
export async function makeFakeShTools(
  dir: string,
  canary: string,
  delayMs: Partial<Record<ToolName, number>> = {},
): Promise<FakeShTools> {
  const bin = join(dir, "bin");
  const callsDir = join(dir, "calls");
  await mkdir(bin, { recursive: true });
  await mkdir(callsDir, { recursive: true });
  const tools = {} as Record<ToolName, string>;
  for (const name of TOOL_NAMES) {
    const delay = delayMs[name];
    const script = [
      "#!/bin/sh",
      `printf '%s\\0' "$0" "$@" > ${quote(callsDir)}/$$`,
      delay ? `/bin/sleep ${(delay / 1000).toFixed(3)}` : "",
      `printf '%s' ${quote(cannedStdout(name))}`,
      `printf '%s\\n' ${quote(canary)} >&2`,
      "exit 0",
      "",
    ].join("\n");
    tools[name] = join(bin, name);
    await writeFile(tools[name], script);
    await chmod(tools[name], 0o755);
  }
  return {
    tools,
    callsDir,
    async takeCalls() {
      const names = await readdir(callsDir);
      const out: string[][] = [];
      for (const n of names) {
        const path = join(callsDir, n);
        const text = await readFile(path, "utf8");
        await unlink(path);
        out.push(text.split("\0").slice(0, -1));
      }
      return out;
    },
  };
}
