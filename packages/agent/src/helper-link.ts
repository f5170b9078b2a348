// The agent's connection to the root helper: connects (with the hello handshake) on first use, and reconnects
// when the helper closed an idle connection. A request that may have reached the helper is never sent twice.
// With `retry` (the daemon), a failed connect is retried in the background with bounded exponential backoff, and
// calls in between fail at once with the last error (no connection storm against a socket-activated helper).
import { HelperClient, HelperError, isHelperError } from "@felhom/helper-protocol";
import type { HelperClientOptions, ResultOf } from "@felhom/helper-protocol";
import { brokenConnection } from "./helper-hints.js";
import type { Logger } from "./log.js";

export interface HelperLinkOptions {
  connectTimeoutMs?: number;
  /** Default per-call timeout; pct create passes its own. */
  timeoutMs?: number;
  logger?: Logger;
  /** Retry a failed connect after minMs, doubling up to maxMs, until it succeeds or the link is closed. */
  retry?: { minMs: number; maxMs: number };
}

/** What the link knows of the helper, for the snapshot and the logs. */
export type HelperLinkStatus =
  | { state: "unknown" }
  | { state: "ok"; protocol: string; version: number }
  | {
      state: "failed";
      code: string;
      message: string;
      /** Connect attempts failed in a row. */
      failures: number;
      /** The wait before the next attempt (ms), when the link retries. */
      retryInMs?: number;
    };

export class HelperLink {
  readonly socketPath: string;
  readonly #opts: HelperLinkOptions;
  #client: HelperClient | undefined;
  #connecting: Promise<HelperClient> | undefined;
  #closed = false;
  #failures = 0;
  #lastError: HelperError | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryInMs: number | undefined;

  constructor(socketPath: string, opts: HelperLinkOptions = {}) {
    this.socketPath = socketPath;
    this.#opts = opts;
  }

  /** The helper's hello answer from the current connection, if connected. */
  get info(): ResultOf<"hello"> | undefined {
    return this.#client?.info;
  }

  /** The last connect's outcome. */
  status(): HelperLinkStatus {
    const info = this.#client?.info;
    if (this.#lastError === undefined)
      return info === undefined
        ? { state: "unknown" }
        : { state: "ok", protocol: info.protocol, version: info.version };
    return {
      state: "failed",
      code: this.#lastError.code,
      message: this.#lastError.message,
      failures: this.#failures,
      ...(this.#retryInMs !== undefined ? { retryInMs: this.#retryInMs } : {}),
    };
  }

  /** A connected, handshaken client; connects or reconnects as needed. */
  async client(): Promise<HelperClient> {
    if (this.#closed) throw new HelperError("HELPER_CLOSED", "the helper link is closed");
    if (this.#client !== undefined && !this.#client.closed) return this.#client;
    // Backing off: the next attempt is scheduled; until then the last error stands.
    if (this.#retryTimer !== undefined && this.#lastError !== undefined) throw this.#lastError;
    this.#connecting ??= this.#attempt().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /**
   * Runs one call. A read-only call (`idempotent`) that finds the connection closed under it (the helper drops
   * idle connections) is sent once more on a new connection; a mutating call is never sent twice.
   */
  async call<T>(fn: (client: HelperClient) => Promise<T>, idempotent: boolean): Promise<T> {
    const first = await this.client();
    try {
      return await fn(first);
    } catch (err) {
      const closed = isHelperError(err) && err.code === "HELPER_CLOSED";
      if (!closed || !idempotent || this.#closed) throw err;
      this.#opts.logger?.debug(
        { socket: this.socketPath },
        "helper connection was closed; reconnecting",
      );
      return fn(await this.client());
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#client?.close();
    this.#client = undefined;
  }

  /** One connect; records its outcome and, with `retry`, schedules the next attempt after a failure. */
  async #attempt(): Promise<HelperClient> {
    try {
      const client = await this.#connect();
      if (this.#lastError !== undefined)
        this.#opts.logger?.info(
          { socket: this.socketPath, failures: this.#failures },
          "root helper reachable again",
        );
      this.#failures = 0;
      this.#lastError = undefined;
      this.#retryInMs = undefined;
      return client;
    } catch (err) {
      if (this.#closed) throw err;
      this.#failures++;
      this.#lastError = isHelperError(err)
        ? err
        : new HelperError("HELPER_CONNECT_FAILED", "the helper connection failed", {
            cause: err,
          });
      const retry = this.#opts.retry;
      if (retry !== undefined) {
        const delay = Math.min(retry.maxMs, retry.minMs * 2 ** Math.min(this.#failures - 1, 30));
        this.#retryInMs = delay;
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.client().catch(() => undefined); // the outcome is recorded; a failure schedules the next one
        }, delay);
        this.#retryTimer.unref();
        this.#opts.logger?.warn(
          {
            socket: this.socketPath,
            code: this.#lastError.code,
            failures: this.#failures,
            retryInMs: delay,
          },
          `root helper unavailable (${this.#lastError.message}); retrying in ${delay} ms`,
        );
      }
      throw this.#lastError;
    }
  }

  async #connect(): Promise<HelperClient> {
    const opts: HelperClientOptions = {};
    if (this.#opts.connectTimeoutMs !== undefined)
      opts.connectTimeoutMs = this.#opts.connectTimeoutMs;
    if (this.#opts.timeoutMs !== undefined) opts.timeoutMs = this.#opts.timeoutMs;
    let client: HelperClient;
    try {
      client = await HelperClient.connect(this.socketPath, opts);
    } catch (err) {
      // The helper's peer check (or a helper that fails to start) closes the connection before hello.
      if (!brokenConnection(err)) throw err;
      throw new HelperError(
        "HELPER_CLOSED",
        `${this.socketPath}: the helper closed the connection before answering hello`,
        { cause: err },
      );
    }
    this.#opts.logger?.debug(
      { socket: this.socketPath, protocol: client.info?.protocol, version: client.info?.version },
      "helper connected",
    );
    if (this.#closed) {
      client.close();
      throw new HelperError("HELPER_CLOSED", "the helper link is closed");
    }
    this.#client = client;
    return client;
  }
}
