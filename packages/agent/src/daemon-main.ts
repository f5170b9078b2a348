// The felhom-agent daemon: config and token, start-up checks with one summary line (or a one-line reason and a
// non-zero exit), then the periodic host snapshot written atomically to the state file, until SIGTERM.
import { parseArgs } from "node:util";
import { runChecks, firstFailure } from "./checks.js";
import { DEFAULT_CONFIG_PATH, loadConfig } from "./config.js";
import type { AgentConfig } from "./config.js";
import { AgentError, describeError, exitCodeOf, oneLine } from "./errors.js";
import { createLogger, SecretScrubber } from "./log.js";
import type { Logger } from "./log.js";
import { openSession } from "./session.js";
import type { Session } from "./session.js";
import { collectSnapshot, summarize } from "./snapshot.js";
import { SnapshotLoop } from "./snapshot-loop.js";
import { removeStaleTempFiles, writeStateFile } from "./state-file.js";
import { readTokenSecret } from "./token-file.js";
import { VERSION } from "./version.js";

const USAGE = `usage: felhom-agent [--config FILE] [--token-file FILE] [--log-level LEVEL]
  The felhom host agent daemon. Reads ${DEFAULT_CONFIG_PATH}, the token from $CREDENTIALS_DIRECTORY/pve-token
  (systemd LoadCredential=) or --token-file, checks TLS, the token, its privileges and the root helper (retried
  in the background when missing: the API half serves without it), then
  writes a host snapshot to snapshot.stateFile every snapshot.intervalSeconds until SIGTERM.`;

/** A missing or failing root helper is retried after 1 s, doubling up to once a minute. */
export const HELPER_RETRY = { minMs: 1_000, maxMs: 60_000 };

export interface DaemonIo {
  env: NodeJS.ProcessEnv;
  stderr: { write(s: string): unknown };
  /** Resolves the daemon's stop request (the bin wires SIGTERM/SIGINT to it). */
  stopSignal: AbortSignal;
  /** Where log lines go (default: stdout). */
  logDestination?: Parameters<typeof createLogger>[0]["destination"];
}

/** Runs the daemon; resolves with the process exit code. */
export async function runDaemon(argv: readonly string[], io: DaemonIo): Promise<number> {
  const fail = (err: unknown): number => {
    io.stderr.write(`felhom-agent: ${describeError(err)}\n`);
    return exitCodeOf(err);
  };
  let values: {
    config?: string;
    "token-file"?: string;
    "log-level"?: string;
    help?: boolean;
    version?: boolean;
  };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string" },
        "token-file": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    const msg =
      err instanceof Error ? (err.message.split(/\.\s/)[0] ?? "bad arguments") : "bad arguments";
    io.stderr.write(`felhom-agent: ${oneLine(msg, 200)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version === true) {
    io.stderr.write(`felhom-agent ${VERSION}\n`);
    return 0;
  }

  let config: AgentConfig;
  let secret: string;
  let source: string;
  try {
    config = loadConfig({
      path: values.config ?? DEFAULT_CONFIG_PATH,
      env: io.env,
      ...(values["log-level"] !== undefined ? { cli: { logLevel: values["log-level"] } } : {}),
    });
    const credentialsDirectory = io.env.CREDENTIALS_DIRECTORY;
    ({ secret, source } = readTokenSecret({
      tokenId: config.pve.tokenId,
      ...(values["token-file"] !== undefined ? { tokenFile: values["token-file"] } : {}),
      ...(credentialsDirectory !== undefined ? { credentialsDirectory } : {}),
    }));
  } catch (err) {
    return fail(err);
  }

  const scrubber = new SecretScrubber();
  scrubber.add(secret);
  const logger = createLogger({
    level: config.log.level,
    scrubber,
    ...(io.logDestination ? { destination: io.logDestination } : {}),
  });
  let session: Session;
  try {
    session = openSession({ config, secret, logger, helperRetry: HELPER_RETRY });
  } catch (err) {
    return fail(err);
  }
  try {
    return await serve(session, config, logger, source, io);
  } catch (err) {
    logger.fatal(
      { code: (err as { code?: unknown }).code },
      `felhom-agent failed: ${describeError(err)}`,
    );
    return fail(err);
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function serve(
  session: Session,
  config: AgentConfig,
  logger: Logger,
  tokenSource: string,
  io: DaemonIo,
): Promise<number> {
  const stop = io.stopSignal;
  logger.info({ version: VERSION, config: { ...config }, tokenSource }, "felhom-agent starting");
  const report = await runChecks(session, { signal: stop });
  if (stop.aborted) {
    logger.info({}, "felhom-agent stopped during start-up");
    return 0;
  }
  // The API half does not need the helper: without it the agent still serves, reports the helper as failed in
  // each snapshot, and the link retries it with backoff (systemd would otherwise restart the agent forever).
  const fatal = { ...report, results: report.results.filter((r) => r.id !== "helper") };
  if (!report.ok && firstFailure(fatal) !== undefined) {
    const reason = firstFailure(fatal) ?? "a start-up check failed";
    logger.fatal({ checks: report.results }, `felhom-agent cannot start: ${reason}`);
    throw new AgentError("AGENT_STARTUP_FAILED", `cannot start: ${reason}`);
  }
  const helperCheck = report.results.find((r) => r.id === "helper");
  if (helperCheck?.status === "fail")
    logger.error(
      { check: helperCheck },
      `root helper unavailable: ${helperCheck.detail}; serving the API half and retrying (fix: ${helperCheck.hint ?? "see felhom doctor"})`,
    );
  const allowed = report.access?.operations.filter((o) => o.allowed).length ?? 0;
  const total = report.access?.operations.length ?? 0;
  logger.info(
    { checks: report.results, pve: report.version, helper: report.helper },
    `felhom-agent ready: PVE ${report.version?.version ?? "?"} at ${config.pve.url} (node ${config.pve.node}), ` +
      `token ${config.pve.tokenId}, ${allowed}/${total} API operations permitted, ` +
      (report.helper !== undefined
        ? `root helper ${report.helper.protocol} v${report.helper.version}, `
        : "root helper unavailable (retrying), ") +
      `snapshot every ${config.snapshot.intervalSeconds} s to ${config.snapshot.stateFile}`,
  );

  const swept = await removeStaleTempFiles(config.snapshot.stateFile);
  if (swept > 0) logger.info({ removed: swept }, "removed temp files of an earlier run");
  const loop = new SnapshotLoop({
    intervalMs: config.snapshot.intervalSeconds * 1000,
    logger,
    cycle: async (signal) => {
      const snap = await collectSnapshot(session.host, {
        signal,
        ...(config.snapshot.disks ? { disks: config.snapshot.disks } : {}),
        helperStatus: () => session.helper.status(),
      });
      // Once collected, the write always completes: stop() waits for it, and the rename is atomic.
      const bytes = await writeStateFile(config.snapshot.stateFile, snap);
      return {
        summary: `${summarize(snap)}; wrote ${bytes} bytes`,
        fields: { durationMs: snap.durationMs, bytes },
      };
    },
  });
  loop.start();
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.info({ reason: String(stop.reason ?? "stop") }, "felhom-agent stopping");
  await loop.stop();
  logger.info({ cycles: loop.cycles }, "felhom-agent stopped");
  return 0;
}
