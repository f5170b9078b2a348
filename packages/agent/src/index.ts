// Public surface of @felhom/agent: the routing facade and table, configuration, the session, start-up checks,
// the snapshot, and the CLI and daemon entries as functions (for tests, the demo and the benchmarks).
export { createHost } from "./host.js";
export type {
  ApiBackend,
  ApiOperations,
  ConfigChange,
  GuestRef,
  HelperBackend,
  HelperOperations,
  HostOptions,
  Operations,
  ProxmoxHost,
} from "./host.js";
export { DESIGN_BACKENDS, DESIGN_ROWS, OPERATIONS, ROUTES, backendLabel } from "./routing.js";
export type {
  ApiOperation,
  Backend,
  DesignRow,
  HelperOperation,
  Operation,
  Route,
} from "./routing.js";
export { AgentConfigSchema } from "./config-schema.js";
export type { AgentConfig, LogLevel, TlsSetting } from "./config-schema.js";
export { DEFAULT_CONFIG_PATH, ENV_OVERRIDES, loadConfig, parseConfig } from "./config.js";
export type { CliOverrides, LoadConfigOptions } from "./config.js";
export { AGENT_ERROR_CODES, AgentError, UsageError, isAgentError, isUsageError } from "./errors.js";
export { cliFailure, type CliFailure } from "./cli/failure.js";
export type { AgentErrorCode } from "./errors.js";
export { CREDENTIAL_NAME, DEFAULT_TOKEN_FILE, readTokenSecret } from "./token-file.js";
export type { TokenSecret, TokenSourceOptions } from "./token-file.js";
export { CENSOR, REDACT_PATHS, SecretScrubber, createLogger } from "./log.js";
export type { Logger, LoggerOptions } from "./log.js";
export { HelperLink } from "./helper-link.js";
export type { HelperLinkOptions, HelperLinkStatus } from "./helper-link.js";
export { openSession, tlsOptions } from "./session.js";
export type { Session, SessionOptions } from "./session.js";
export { firstFailure, runChecks } from "./checks.js";
export type { CheckId, CheckReport, CheckResult, CheckStatus } from "./checks.js";
export { collectSnapshot, discoverDisks, summarize } from "./snapshot.js";
export type { CollectOptions, DiskHealth, HostSnapshot, Part } from "./snapshot.js";
export { SnapshotLoop } from "./snapshot-loop.js";
export { removeStaleTempFiles, writeStateFile } from "./state-file.js";
export { runDaemon } from "./daemon-main.js";
export type { DaemonIo } from "./daemon-main.js";
export { COMMANDS, helpText, runCli } from "./cli/run.js";
export { memoryIo, processIo } from "./cli/io.js";
export type { CliIo, OutStream } from "./cli/io.js";
export { VERSION } from "./version.js";
