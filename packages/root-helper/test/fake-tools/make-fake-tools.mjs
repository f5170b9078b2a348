// Fake tool binaries for the root helper's tests, the demo and the benchmarks: makeFakeTools(dir) copies the
// fake into dir under each tool's name and returns their paths, the rules they answer by, and the calls they saw.
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
export const FAKE_TOOL_NAMES = ["pct", "systemctl", "smartctl", "sensors", "lsblk"];

/** Canned real-shaped outputs: file paths (for rules' stdoutFile) and their text. */
export const fixturePath = (name) => join(here, "fixtures", name);
export const fixture = (name) => readFileSync(fixturePath(name), "utf8");

/**
 * Writes the fakes into dir. options.rules: { [tool]: [{ when?: string[], stdout?, stdoutFile?, stderr?,
 * exitCode?, delayMs?, hang? }] }; the first rule whose `when` words all appear in argv answers, else exit 0.
 */
export async function makeFakeTools(dir, options = {}) {
  await mkdir(dir, { recursive: true });
  const tools = {};
  for (const name of FAKE_TOOL_NAMES) {
    tools[name] = join(dir, name);
    await copyFile(join(here, "fake-tool.mjs"), tools[name]);
    await chmod(tools[name], 0o755);
  }
  const rulesFile = join(dir, "fake-tools.json");
  const callsFile = join(dir, "calls.jsonl");
  const setRules = (rules) => writeFile(rulesFile, JSON.stringify(rules));
  await setRules(options.rules ?? {});
  await writeFile(callsFile, "");
  return {
    dir,
    tools,
    setRules,
    /** Every run so far, in order: { tool, argv, env, stdin, pid, fds }. */
    async calls() {
      const text = await readFile(callsFile, "utf8");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    clearCalls: () => writeFile(callsFile, ""),
  };
}
