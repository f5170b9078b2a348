// The agent's connection to the root helper: connects (with the hello handshake) on first use, and reconnects
// when the helper closed an idle connection. A request that may have reached the helper is never sent twice.
import { HelperClient, HelperError } from "@felhom/helper-protocol";
import type { HelperClientOptions, ResultOf } from "@felhom/helper-protocol";
import { brokenConnection } from "./helper-hints.js";
import type { Logger } from "./log.js";

export interface HelperLinkOptions {
  connectTimeoutMs?: number;
  /** Default per-call timeout; pct create passes its own. */
  timeoutMs?: number;
  logger?: Logger;
}

export class HelperLink {
  readonly socketPath: string;
  readonly #opts: HelperLinkOptions;
  #client: HelperClient | undefined;
  #connecting: Promise<HelperClient> | undefined;
  #closed = false;

  constructor(socketPath: string, opts: HelperLinkOptions = {}) {
    this.socketPath = socketPath;
    this.#opts = opts;
  }

  /** The helper's hello answer from the current connection, if connected. */
  get info(): ResultOf<"hello"> | undefined {
    return this.#client?.info;
  }

  /** A connected, handshaken client; connects or reconnects as needed. */
  async client(): Promise<HelperClient> {
    if (this.#closed) throw new HelperError("HELPER_CLOSED", "the helper link is closed");
    if (this.#client !== undefined && !this.#client.closed) return this.#client;
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
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
      const closed = err instanceof HelperError && err.code === "HELPER_CLOSED";
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
    this.#client?.close();
    this.#client = undefined;
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
