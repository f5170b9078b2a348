// The memory floor of Node itself on this machine: the RSS of a process that loads nothing (or only the given
// module) and waits, with the same flags as the process it is compared with.
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { processPrivateBytes, processRssBytes } from "./proc.js";

export async function emptyNodeMemory(
  flags: readonly string[],
  loadOnly?: string,
): Promise<{ rss: number; private: number }> {
  const load = loadOnly ? `await import(${JSON.stringify(pathToFileURL(loadOnly).href)});` : "";
  const code = `${load} setTimeout(() => {}, 30000); process.stdout.write("loaded\\n");`;
  const child = spawn(process.execPath, [...flags, "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("exit", (c) => reject(new Error(`node ${loadOnly ?? ""} exited ${c}`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    const pid = child.pid ?? -1;
    return { rss: processRssBytes(pid), private: processPrivateBytes(pid) };
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}
