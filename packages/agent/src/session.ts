// Wires one agent session from a validated config and the token secret: the pve-client (API backend), the
// helper link (root helper backend) and the routing facade over both. Used by the daemon and the CLI alike.
import { accessSync, constants } from "node:fs";
import { ApiToken, Client } from "@felhom/pve-client";
import type { TlsOptions } from "@felhom/pve-client";
import type { AgentConfig, TlsSetting } from "./config-schema.js";
import { AgentError } from "./errors.js";
import { HelperLink } from "./helper-link.js";
import { createHost } from "./host.js";
import type { ProxmoxHost } from "./host.js";
import type { Logger } from "./log.js";
import type { Backend, Operation } from "./routing.js";

export interface Session {
  readonly config: AgentConfig;
  readonly client: Client;
  readonly helper: HelperLink;
  readonly host: ProxmoxHost;
  /** Where the config and the token secret came from (paths), for summaries and `felhom doctor`. */
  readonly sources: { config: string; token: string };
  /** Closes the HTTPS pool and the helper connection. */
  close(): Promise<void>;
}

export interface SessionOptions {
  config: AgentConfig;
  /** The token secret, as read from the credential or token file. */
  secret: string;
  logger: Logger;
  sources?: { config: string; token: string };
  onCall?: (op: Operation, backend: Backend) => void;
  /** The daemon's: retry a failed helper connect in the background with bounded backoff. */
  helperRetry?: { minMs: number; maxMs: number };
}

/** The pve-client's TLS option for the config's `pve.tls`. */
export function tlsOptions(tls: TlsSetting): TlsOptions {
  if (tls.fingerprint256 !== undefined) return { fingerprint256: tls.fingerprint256 };
  if (tls.caFile !== undefined) return { caFile: tls.caFile };
  return { insecure: true };
}

export function openSession(opts: SessionOptions): Session {
  const { config, logger } = opts;
  const caFile = config.pve.tls.caFile;
  if (caFile !== undefined) {
    try {
      accessSync(caFile, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new AgentError(
        "AGENT_CONFIG_INVALID",
        `config: pve.tls.caFile: cannot read ${caFile}: ${code}`,
      );
    }
  }
  const client = new Client({
    baseUrl: config.pve.url,
    token: new ApiToken(config.pve.tokenId, opts.secret),
    tls: tlsOptions(config.pve.tls),
    logger: logger.child({ component: "pve-client" }),
  });
  const helper = new HelperLink(config.helper.socket, {
    logger: logger.child({ component: "helper-link" }),
    connectTimeoutMs: 5_000,
    ...(opts.helperRetry ? { retry: opts.helperRetry } : {}),
  });
  const host = createHost({
    api: client,
    helper,
    node: config.pve.node,
    ...(opts.onCall ? { onCall: opts.onCall } : {}),
  });
  return {
    config,
    client,
    helper,
    host,
    sources: opts.sources ?? { config: "(given)", token: "(given)" },
    async close() {
      helper.close();
      await client.close();
    },
  };
}
