// The `felhom` CLI: finds the subcommand, parses its arguments, opens the session lazily (config, token, client,
// helper link), runs it, prints a table or JSON, and maps every failure to a one-line message and an exit code
// (2 for bad input, 1 for failures at run time).
import { DEFAULT_CONFIG_PATH, loadConfig } from "../config.js";
import type { CliOverrides } from "../config.js";
import { AgentError, oneLine } from "../errors.js";
import { createLogger, SecretScrubber } from "../log.js";
import { backendLabel } from "../routing.js";
import { openSession } from "../session.js";
import type { Session } from "../session.js";
import { DEFAULT_TOKEN_FILE, readTokenSecret } from "../token-file.js";
import { VERSION } from "../version.js";
import { GLOBAL_OPTIONS, findCommand, globalRequest, parseCommandArgs, usageOf } from "./args.js";
import type { ParsedArgs } from "./args.js";
import { CHANGE_COMMANDS } from "./commands-change.js";
import { DOCTOR } from "./commands-doctor.js";
import { HELPER_COMMANDS } from "./commands-helper.js";
import { READ_COMMANDS } from "./commands-read.js";
import type { CommandContext, CommandDef, CommandOutput } from "./command.js";
import { cliFailure } from "./failure.js";
import { json } from "./format.js";
import type { CliIo } from "./io.js";
import { ArgReader } from "./reader.js";

/** Every subcommand, in the order of the help text. */
export const COMMANDS: readonly CommandDef[] = [
  ...READ_COMMANDS,
  ...CHANGE_COMMANDS,
  ...HELPER_COMMANDS,
  DOCTOR,
];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const globals = Object.entries(GLOBAL_OPTIONS).map(([n, s]) => {
    const flag = `--${n}${"value" in s ? ` ${s.value}` : ""}`;
    return `  ${flag.padEnd(24)} ${s.help}`;
  });
  return [
    "usage: felhom [global options] COMMAND [arguments] [options]",
    "",
    "Manage this Proxmox VE host through the felhom agent: API operations with the agent's token,",
    "privileged ones through the root helper. Task commands wait and stream the task log (--no-wait: UPID).",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "global options:",
    ...globals,
    "",
    `exit status: 0 ok, 1 failed (a task's error, PVE or the helper refused), 2 bad arguments or configuration.`,
    `felhom COMMAND --help shows a command's options.`,
  ].join("\n");
}

/** Runs the CLI; resolves with the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr.write(`${helpText()}\n`);
    return 2;
  }
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout.write(`${helpText()}\n`);
    return 0;
  }
  if (argv[0] === "--version") {
    io.stdout.write(`felhom ${VERSION}\n`);
    return 0;
  }
  const { command, rest, words } = findCommand(argv, COMMANDS);
  if (command === undefined && words.length === 0) {
    // `felhom --config X --help`: global options before --help or --version.
    const asked = globalRequest(argv);
    if (asked === "help") {
      io.stdout.write(`${helpText()}\n`);
      return 0;
    }
    if (asked === "version") {
      io.stdout.write(`felhom ${VERSION}\n`);
      return 0;
    }
  }
  if (command === undefined) {
    // A global option left without its value says so first (`felhom --node`).
    const last = argv.at(-1) ?? "";
    const dangling =
      last.startsWith("--") &&
      GLOBAL_OPTIONS[last.slice(2) as keyof typeof GLOBAL_OPTIONS]?.type === "string";
    const what =
      words.length > 0
        ? `unknown command ${JSON.stringify(oneLine(words.join(" "), 40))}`
        : dangling
          ? `option ${last} needs a value`
          : "no command given";
    io.stderr.write(
      `felhom: ${what}\nusage: felhom [global options] COMMAND … (felhom --help lists the commands)\n`,
    );
    return 2;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(command, rest);
  } catch (err) {
    return report(err, io, false);
  }
  if (parsed.options.help === true) {
    io.stdout.write(`${usageOf(command)}\n`);
    return 0;
  }
  const reader = new ArgReader(command, parsed);
  const signal = io.signal ?? new AbortController().signal;
  let session: Session | undefined;
  let opening: Promise<Session> | undefined;
  const ctx: CommandContext = {
    io,
    json: reader.json,
    signal,
    session: () => (opening ??= Promise.resolve().then(() => (session = open(parsed, io)))),
    host: async () => (await ctx.session()).host,
  };
  try {
    const out = await command.run(ctx, reader);
    return print(out, io, reader.json);
  } catch (err) {
    return report(err, io, reader.json);
  } finally {
    await session?.close().catch(() => undefined);
  }
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Loads config and token and opens the session. Config and token errors are AgentErrors (exit 2). */
function open(parsed: ParsedArgs, io: CliIo): Session {
  const o = parsed.options;
  const cli: CliOverrides = {};
  const map: Array<[keyof CliOverrides, string]> = [
    ["url", "url"],
    ["node", "node"],
    ["tokenId", "token-id"],
    ["fingerprint", "fingerprint"],
    ["caFile", "ca-file"],
    ["helperSocket", "helper-socket"],
  ];
  for (const [key, flag] of map) {
    const v = str(o[flag]);
    if (v !== undefined) (cli as Record<string, string>)[key] = v;
  }
  if (o.insecure === true) cli.insecure = true;
  const configPath = str(o.config);
  const config = loadConfig({
    ...(configPath !== undefined ? { path: configPath } : {}),
    env: io.env,
    cli,
  });
  const tokenFile = str(o["token-file"]);
  const credentialsDirectory = io.env.CREDENTIALS_DIRECTORY;
  const { secret, source } = readTokenSecret({
    tokenId: config.pve.tokenId,
    fallbackFile: DEFAULT_TOKEN_FILE,
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(credentialsDirectory !== undefined ? { credentialsDirectory } : {}),
  });
  const scrubber = new SecretScrubber();
  scrubber.add(secret);
  const level = str(o["log-level"]) ?? "warn";
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
  if (!(levels as readonly string[]).includes(level)) {
    throw new AgentError("AGENT_CONFIG_INVALID", `--log-level must be one of ${levels.join(", ")}`);
  }
  const logger = createLogger({
    level: level as (typeof levels)[number],
    name: "felhom",
    scrubber,
    destination: io.stderr,
  });
  const verbose = o.verbose === true;
  return openSession({
    config,
    secret,
    logger,
    sources: { config: configPath ?? DEFAULT_CONFIG_PATH, token: source },
    ...(verbose
      ? { onCall: (op, backend) => io.stderr.write(`→ ${op}: ${backendLabel(backend)}\n`) }
      : {}),
  });
}

function print(out: CommandOutput, io: CliIo, asJson: boolean): number {
  if (asJson) io.stdout.write(`${json(out.data)}\n`);
  else if (out.text !== "") io.stdout.write(`${out.text}\n`);
  if (out.exitCode !== undefined && out.exitCode !== 0) {
    io.stderr.write(`felhom: ${oneLine(out.error ?? "failed")}\n`);
    if (out.hint !== undefined) io.stderr.write(`  fix: ${out.hint}\n`);
    return out.exitCode;
  }
  return 0;
}

/** One line on stderr (plus the usage for argument errors, and a JSON error document with --json). */
function report(err: unknown, io: CliIo, asJson: boolean): number {
  const f = cliFailure(err);
  if (f.usage !== undefined) {
    io.stderr.write(`felhom: ${f.message}\n${f.usage}\n`);
    return 2;
  }
  const hint = f.hint;
  if (asJson)
    io.stdout.write(
      `${json({ ok: false, error: { code: f.code, message: f.message, ...(hint !== undefined ? { hint } : {}) } })}\n`,
    );
  const tag = f.code !== "ERROR" && !f.message.includes(f.code) ? ` [${f.code}]` : "";
  io.stderr.write(`felhom: ${f.message}${tag}\n`);
  if (hint !== undefined) io.stderr.write(`  fix: ${hint}\n`);
  return f.exit;
}
