// Loads the agent's configuration: the JSON file, then environment overrides, then command-line overrides,
// validated in one pass so every error names the field (and where its value came from) on one line.
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { AgentConfigSchema } from "./config-schema.js";
import type { AgentConfig } from "./config-schema.js";
import { AgentError, isAgentError, oneLine, quote } from "./errors.js";

export const DEFAULT_CONFIG_PATH = "/etc/felhom/agent.json";
const MAX_CONFIG_BYTES = 64 * 1024;

/** A field that can be set from outside the file, and the names it goes by. */
interface Override {
  path: readonly string[];
  env: string;
  numeric?: boolean;
}

/** The environment variables the agent reads, each mapped to its config field. */
export const ENV_OVERRIDES: readonly Override[] = [
  { path: ["pve", "url"], env: "FELHOM_PVE_URL" },
  { path: ["pve", "node"], env: "FELHOM_NODE" },
  { path: ["pve", "tokenId"], env: "FELHOM_TOKEN_ID" },
  { path: ["pve", "tls", "fingerprint256"], env: "FELHOM_TLS_FINGERPRINT" },
  { path: ["pve", "tls", "caFile"], env: "FELHOM_TLS_CA_FILE" },
  { path: ["helper", "socket"], env: "FELHOM_HELPER_SOCKET" },
  { path: ["snapshot", "intervalSeconds"], env: "FELHOM_SNAPSHOT_INTERVAL", numeric: true },
  { path: ["snapshot", "stateFile"], env: "FELHOM_STATE_FILE" },
];

/** Values given on the command line (already parsed by the CLI), each with the option's name for errors. */
export interface CliOverrides {
  url?: string;
  node?: string;
  tokenId?: string;
  fingerprint?: string;
  caFile?: string;
  insecure?: boolean;
  helperSocket?: string;
  logLevel?: string;
}

const CLI_FIELDS: ReadonlyArray<{
  key: keyof CliOverrides;
  path: readonly string[];
  flag: string;
}> = [
  { key: "url", path: ["pve", "url"], flag: "--url" },
  { key: "node", path: ["pve", "node"], flag: "--node" },
  { key: "tokenId", path: ["pve", "tokenId"], flag: "--token-id" },
  { key: "fingerprint", path: ["pve", "tls", "fingerprint256"], flag: "--fingerprint" },
  { key: "caFile", path: ["pve", "tls", "caFile"], flag: "--ca-file" },
  { key: "insecure", path: ["pve", "tls", "insecure"], flag: "--insecure" },
  { key: "helperSocket", path: ["helper", "socket"], flag: "--helper-socket" },
  { key: "logLevel", path: ["log", "level"], flag: "--log-level" },
];

export interface LoadConfigOptions {
  /** The config file; when it is the default path and does not exist, overrides alone must suffice. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  cli?: CliOverrides;
}

/** Reads, merges and validates the configuration. Throws AgentError(AGENT_CONFIG_INVALID) naming the field. */
export function loadConfig(opts: LoadConfigOptions = {}): AgentConfig {
  const path = opts.path ?? DEFAULT_CONFIG_PATH;
  const raw = readConfigFile(path, opts.path === undefined);
  const sources = new Map<string, string>();

  const env = opts.env ?? {};
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === "") continue;
    setOverride(raw, o.path, o.numeric === true ? toNumber(value) : value, sources, o.env);
  }
  for (const f of CLI_FIELDS) {
    const value = opts.cli?.[f.key];
    if (value === undefined) continue;
    setOverride(raw, f.path, value, sources, f.flag);
  }
  return parseConfig(raw, path, sources);
}

/** Validates an already-merged config object; `sources` names where overridden fields came from. */
export function parseConfig(
  raw: unknown,
  file = "config",
  sources: ReadonlyMap<string, string> = new Map(),
): AgentConfig {
  const result = AgentConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new AgentError("AGENT_CONFIG_INVALID", `config: ${file}: invalid`);
  throw new AgentError("AGENT_CONFIG_INVALID", describeIssue(issue, raw, file, sources));
}

function readConfigFile(path: string, isDefault: boolean): Record<string, unknown> {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_CONFIG_BYTES) {
      throw new AgentError(
        "AGENT_CONFIG_INVALID",
        `config: ${path}: larger than ${MAX_CONFIG_BYTES} bytes`,
      );
    }
    text = buf.toString("utf8");
  } catch (err) {
    if (isAgentError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    if (code === "ENOENT" && isDefault) return {};
    throw new AgentError("AGENT_CONFIG_INVALID", `config: cannot read ${path}: ${code}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : "parse error";
    throw new AgentError(
      "AGENT_CONFIG_INVALID",
      `config: ${path}: not valid JSON (${oneLine(detail, 120)})`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AgentError("AGENT_CONFIG_INVALID", `config: ${path}: must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function toNumber(value: string): number | string {
  return /^[0-9]+(?:\.[0-9]+)?$/.test(value) ? Number(value) : value;
}

function setOverride(
  root: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  sources: Map<string, string>,
  source: string,
): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (path[0] === "pve" && path[1] === "tls") {
    // A TLS override replaces the file's choice: fingerprint, CA file and insecure exclude each other.
    const prior = sources.get("pve.tls");
    if (prior !== undefined) {
      throw new AgentError(
        "AGENT_CONFIG_INVALID",
        `config: pve.tls: ${prior} and ${source} exclude each other; set one`,
      );
    }
    for (const k of Object.keys(node)) delete node[k];
    sources.set("pve.tls", source);
  }
  node[last] = value;
  sources.set(path.join("."), source);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  file: string,
  sources: ReadonlyMap<string, string>,
): string {
  const path = issue.path.map(String).join(".");
  const source = sources.get(path);
  const where = `${path || "(top level)"}${source === undefined ? "" : ` (from ${source})`}`;
  return oneLine(`config: ${where}: ${explain(issue, raw, file)}`);
}

function explain(issue: z.core.$ZodIssue, raw: unknown, file: string): string {
  switch (issue.code) {
    case "invalid_type":
      if (valueAt(raw, issue.path) === undefined) return `is required (set it in ${file})`;
      return `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
    case "unrecognized_keys":
      return `unknown field ${issue.keys.map((k) => quote(k)).join(", ")}`;
    case "invalid_value":
      if (!issue.message.startsWith("Invalid")) return issue.message;
      return `must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "string" || issue.origin === "array"
        ? `must not be empty`
        : `must be at least ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "string" || issue.origin === "array"
        ? `is too long (at most ${String(issue.maximum)})`
        : `must be at most ${String(issue.maximum)}`;
    case "invalid_format":
      return issue.message.startsWith("Invalid") ? "has an invalid form" : issue.message;
    case "custom":
    case "invalid_union":
    case "invalid_element":
    case "invalid_key":
    case "not_multiple_of":
      return issue.message;
  }
}

export type { AgentConfig };
