// The CLI's argument grammar on top of node:util parseArgs: global options, subcommand lookup (one or two words),
// per-subcommand options and operands, and one-line usage errors that carry the subcommand's usage.
import { parseArgs } from "node:util";
import { UsageError, quote } from "../errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in the usage, e.g. "STORAGE". */
  value?: string;
  help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Options every subcommand accepts. */
export const GLOBAL_OPTIONS = {
  config: { type: "string", value: "FILE", help: "config file (default /etc/felhom/agent.json)" },
  "token-file": {
    type: "string",
    value: "FILE",
    help: "file holding the API token secret (mode 0600)",
  },
  json: { type: "boolean", help: "print JSON for machines instead of tables" },
  url: { type: "string", value: "URL", help: "PVE API URL, e.g. https://127.0.0.1:8006" },
  node: { type: "string", value: "NODE", help: "PVE node name" },
  "token-id": { type: "string", value: "ID", help: "API token id USER@REALM!TOKENID" },
  fingerprint: {
    type: "string",
    value: "SHA256",
    help: "pin the PVE certificate's SHA-256 fingerprint",
  },
  "ca-file": { type: "string", value: "FILE", help: "trust this CA certificate (PEM)" },
  insecure: { type: "boolean", help: "do not check the PVE certificate (testing only)" },
  "helper-socket": { type: "string", value: "PATH", help: "the root helper's Unix socket" },
  "log-level": { type: "string", value: "LEVEL", help: "log level on stderr (default warn)" },
  verbose: { type: "boolean", short: "v", help: "say which backend serves each call (on stderr)" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionSpecs;

/** Options of commands that start a PVE task. */
export const TASK_OPTIONS = {
  "no-wait": { type: "boolean", help: "print the task id (UPID) and return at once" },
  timeout: {
    type: "string",
    value: "SECONDS",
    help: "give up waiting after this long (default 3600)",
  },
  "accept-warnings": { type: "boolean", help: "treat a task that ends with warnings as success" },
  progress: { type: "boolean", help: "print the progress line even when stderr is not a terminal" },
} as const satisfies OptionSpecs;

export interface Operand {
  name: string;
  optional?: boolean;
}

/** The static part of a subcommand: enough to parse its arguments and print its usage. */
export interface CommandShape {
  /** One or two words: "status", "golden create". */
  name: string;
  summary: string;
  operands: readonly Operand[];
  options: OptionSpecs;
}

export interface ParsedArgs {
  operands: string[];
  options: Record<string, string | boolean | undefined>;
}

/** The usage line of a subcommand, plus one line per option. */
export function usageOf(cmd: CommandShape): string {
  const operands = cmd.operands
    .map((o) => (o.optional === true ? `[${o.name}]` : o.name))
    .join(" ");
  const lines = [
    `usage: felhom ${cmd.name}${operands ? ` ${operands}` : ""} [options]`,
    `  ${cmd.summary}`,
  ];
  for (const [name, spec] of Object.entries(cmd.options)) {
    const flag = `--${name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
    lines.push(`  ${flag.padEnd(28)} ${spec.help}`);
  }
  lines.push("  (global options: felhom --help)");
  return lines.join("\n");
}

/** Splits argv into the subcommand words and the rest, skipping global options and their values. */
export function findCommand<C extends CommandShape>(
  argv: readonly string[],
  commands: readonly C[],
): { command: C | undefined; rest: string[]; words: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, s]) => s.type === "string")
      .map(([n]) => `--${n}`),
  );
  let i = 0;
  let command: C | undefined;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (arg.startsWith("-")) {
      rest.push(arg);
      if (takesValue.has(arg) && i + 1 < argv.length) rest.push(argv[++i] as string);
      continue;
    }
    words.push(arg);
    command = commands.find((c) => c.name === words.join(" "));
    if (command !== undefined) {
      i++;
      break;
    }
    if (!commands.some((c) => c.name.startsWith(`${words.join(" ")} `))) break;
  }
  return { command, rest: [...rest, ...argv.slice(i)], words };
}

/**
 * `felhom [global options] --help` (or --version) with no command: which of the two was asked for. The values of
 * global options are skipped, so `--config FILE --help` asks for help and `--node --help` does not.
 */
export function globalRequest(argv: readonly string[]): "help" | "version" | undefined {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, s]) => s.type === "string")
      .map(([n]) => `--${n}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--version") return "version";
    if (takesValue.has(arg)) i++;
    else if (!arg.startsWith("-")) return undefined; // a word: a command (or a wrong one), not a request
  }
  return undefined;
}

/** Parses a subcommand's arguments (global options included). Throws UsageError on anything unexpected. */
export function parseCommandArgs(cmd: CommandShape, args: readonly string[]): ParsedArgs {
  const options = { ...GLOBAL_OPTIONS, ...cmd.options } as OptionSpecs;
  const usage = usageOf(cmd);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(options).map(([k, s]) => [
          k,
          s.short === undefined ? { type: s.type } : { type: s.type, short: s.short },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${cmd.name}: ${describeParseError(err)}`, usage);
  }
  const operands = parsed.positionals;
  const required = cmd.operands.filter((o) => o.optional !== true).length;
  if (parsed.values.help !== true) {
    if (operands.length < required) {
      const missing = cmd.operands[operands.length] as Operand;
      throw new UsageError(`${cmd.name}: missing ${missing.name}`, usage);
    }
    if (operands.length > cmd.operands.length) {
      const extra = operands[cmd.operands.length] as string;
      throw new UsageError(`${cmd.name}: unexpected argument ${quote(extra)}`, usage);
    }
  }
  return { operands, options: parsed.values as Record<string, string | boolean | undefined> };
}

function describeParseError(err: unknown): string {
  if (!(err instanceof Error)) return "invalid arguments";
  const code = (err as { code?: string }).code;
  // parseArgs names the option in its message; keep the first sentence, and quote nothing from argv but the option.
  const option = /'(-{1,2}[A-Za-z0-9][A-Za-z0-9-]{0,40})/.exec(err.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quote(option ?? "?")}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return option === undefined
      ? "an option has an invalid value"
      : `option ${option} ${optionProblem(err.message)}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return "unexpected argument";
  return "invalid arguments";
}

function optionProblem(message: string): string {
  if (message.includes("argument missing")) return "needs a value";
  if (message.includes("ambiguous"))
    return "needs a value (write --option=VALUE for a value that starts with -)";
  if (message.includes("does not take an argument")) return "takes no value";
  return "has an invalid value";
}
