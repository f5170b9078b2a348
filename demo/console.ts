// The demo's output: step headers naming the routing-table row and backend, and the felhom CLI run as a real
// process with its output streamed live (indented), the facade's "served by" lines and the task progress.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const tty = process.stdout.isTTY === true;
const style = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = style("1");
export const dim = style("2");
export const green = style("32");
export const red = style("31");
export const cyan = style("36");

export function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

let stepNo = 0;

/** A step header: number, title, and the routing row it demonstrates. */
export function step(title: string, detail: string): void {
  stepNo++;
  say();
  say(bold(`── ${stepNo}. ${title} ${"─".repeat(Math.max(3, 70 - title.length))}`));
  say(dim(`   ${detail}`));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The operations the facade reported (--verbose), with their backend. */
  served: Array<{ op: string; backend: string }>;
}

export interface CliRunner {
  /** Runs `felhom ARGS`, showing the command and streaming its output. */
  run(
    args: readonly string[],
    opts?: { quiet?: boolean; extra?: readonly string[] },
  ): Promise<CliResult>;
}

/** `base` are the arguments every call gets (config and token file), not shown in the printed command. */
export function cliRunner(cliJs: string, base: readonly string[]): CliRunner {
  return {
    run(args, opts = {}) {
      const quiet = opts.quiet === true;
      if (!quiet) say(cyan(`   $ felhom ${args.join(" ")}`));
      const child = spawn(
        process.execPath,
        [cliJs, ...base, ...(opts.extra ?? []), "--verbose", ...args],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const out: string[] = [];
      const err: string[] = [];
      const served: CliResult["served"] = [];
      const seen = new Set<string>();
      if (child.stdout) {
        createInterface({ input: child.stdout }).on("line", (l) => {
          out.push(l);
          if (!quiet) say(`     ${l}`);
        });
      }
      if (child.stderr) {
        createInterface({ input: child.stderr }).on("line", (l) => {
          err.push(l);
          const m = /^→ (\w+): (.*)$/.exec(l);
          if (m) {
            served.push({ op: m[1] ?? "", backend: m[2] ?? "" });
            const key = `${m[1]}|${m[2]}`;
            if (!quiet && !seen.has(key)) say(dim(`     ↳ ${m[1]} served by ${m[2]}`));
            seen.add(key);
          } else if (!quiet) say(l.startsWith("felhom:") ? red(`     ${l}`) : dim(`     ${l}`));
        });
      }
      return new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code) =>
          resolve({
            code: code ?? 1,
            stdout: `${out.join("\n")}\n`,
            stderr: `${err.join("\n")}\n`,
            served,
          }),
        );
      });
    },
  };
}
