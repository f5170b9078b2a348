// The Client's options, and how they become its transport: the connection pool (an undici Agent of its
// own, or an injected dispatcher), timeouts, retries and the response size limit.
import type { Dispatcher } from "undici";
import { parseBaseUrl } from "./base-url.js";
import { PveArgumentError } from "./errors.js";
import { Transport, type RetryOptions } from "./http.js";
import type { Logger } from "./logger.js";
import { createAgent, type TlsOptions } from "./tls.js";
import type { ApiToken, TokenInput } from "./token.js";

export interface ClientOptions {
  /** `https://HOST:8006` (a trailing `/api2/json` is accepted). */
  baseUrl: string;
  /** `USER@REALM!TOKENID=SECRET`, `{ id, secret }` or an ApiToken. */
  token: TokenInput;
  /** How to trust the server. Required unless `dispatcher` is given. */
  tls?: TlsOptions;
  timeouts?: {
    /** Per HTTP request, separate from task deadlines. Default 30 s. */
    requestMs?: number;
    /** TCP + TLS connect. Default 10 s. */
    connectMs?: number;
  };
  retry?: RetryOptions;
  logger?: Logger;
  /** An undici dispatcher to use instead of the client's own Agent (e.g. a MockAgent). */
  dispatcher?: Dispatcher;
  /** Largest accepted response body. Default 256 MiB. */
  maxResponseBytes?: number;
  /**
   * Most keep-alive connections to PVE at once, opened as needed and closed after 4 s idle. Default 16;
   * requests beyond it queue in the client. pveproxy accepts up to 800 connections per worker
   * (pve-http-server's AnyEvent.pm); a pool of 4 made parallel reads wait on each other (bench/README.md).
   */
  connections?: number;
  /** Random source for jitter (tests). */
  random?: () => number;
}

const DEFAULT_CONNECTIONS = 16;

/** The transport of one Client, and the Agent it owns (undefined when a dispatcher was injected). */
export function openTransport(
  options: ClientOptions,
  token: ApiToken,
  logger: Logger,
  random: () => number,
): { transport: Transport; ownedAgent: Dispatcher | undefined } {
  const { origin, basePath } = parseBaseUrl(options.baseUrl, options.dispatcher !== undefined);
  let dispatcher = options.dispatcher;
  let ownedAgent: Dispatcher | undefined;
  if (!dispatcher) {
    if (!options.tls)
      throw new PveArgumentError("tls", "give ca, caFile, fingerprint256 or insecure");
    dispatcher = ownedAgent = createAgent(options.tls, {
      connectMs: options.timeouts?.connectMs ?? 10_000,
      keepAliveMs: 4_000,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      logger,
    });
  }
  const transport = new Transport({
    origin,
    basePath,
    token,
    dispatcher,
    requestMs: options.timeouts?.requestMs ?? 30_000,
    retry: {
      attempts: options.retry?.attempts ?? 3,
      baseMs: options.retry?.baseMs ?? 200,
      maxMs: options.retry?.maxMs ?? 2_000,
    },
    logger,
    maxResponseBytes: options.maxResponseBytes ?? 256 * 1024 * 1024,
    random,
  });
  return { transport, ownedAgent };
}
