// The memory floor of Node itself on this machine: the RSS of a process that loads nothing and waits, with the
// same flags as the process it is compared with.
import { spawn } from "node:child_process";
import { processPrivateBytes, processRssBytes } from "./proc.js";

export async function emptyNodeMemory(
  flags: readonly string[],
): Promise<{ rss: number; private: number }> {
  const child = spawn(process.execPath, [...flags, "-e", "setTimeout(() => {}, 30000)"], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await new Promise((r) => setTimeout(r, 400));
    const pid = child.pid ?? -1;
    return { rss: processRssBytes(pid), private: processPrivateBytes(pid) };
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}
