// Agent side of the contract: a typed stub per method over a Unix socket, with the hello handshake, params checked
// before sending, results checked on arrival, a per-call timeout and AbortSignal support.
import { connect as netConnect } from "node:net";
import type { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import type * as z from "zod/mini";
import jsonrpc from "vscode-jsonrpc";
import type { RequestType } from "vscode-jsonrpc";
import { connectionFromStreams } from "./transport.js";
import type { MessageConnection } from "./transport.js";
import { HelperError, isHelperError, isWireError } from "./errors.js";
import { methods, PROTOCOL, PROTOCOL_VERSION } from "./methods.js";
import type { MethodDef, ParamsOf, ResultOf } from "./methods.js";
// vscode-jsonrpc is CommonJS: a default import, never Node's named-export detection (issue 13).
const { CancellationTokenSource } = jsonrpc;

export interface CallOptions {
  /** Per-call deadline; the request is cancelled and the call rejects with HELPER_CALL_TIMEOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HelperClientOptions {
  /** Default per-call timeout (ms). pct create can take minutes; callers pass a longer one there. */
  timeoutMs?: number;
  /** Deadline for connecting and the hello handshake (ms). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A connected, handshaken stub for the root helper. Create it with `HelperClient.connect(socketPath)`. */
export class HelperClient {
  #conn: MessageConnection;
  #closed = false;
  #defaultTimeoutMs: number;
  #onClose: Array<() => void> = [];
  /** The helper's hello answer, available after the handshake. */
  info: ResultOf<"hello"> | undefined;

  private constructor(conn: MessageConnection, defaultTimeoutMs: number) {
    this.#conn = conn;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    conn.onClose(() => {
      this.#closed = true;
      for (const f of this.#onClose.splice(0)) f();
    });
  }

  /** Connects to the helper's Unix socket and performs the hello handshake (protocol and version checked). */
  static async connect(socketPath: string, opts: HelperClientOptions = {}): Promise<HelperClient> {
    const socket = await openSocket(socketPath, opts);
    try {
      return await HelperClient.fromStreams(socket, socket, opts, () => socket.destroy());
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  /** Builds a client over any stream pair (tests use in-memory streams) and performs the handshake. */
  static async fromStreams(
    input: Readable,
    output: Writable,
    opts: HelperClientOptions = {},
    onDispose?: () => void,
  ): Promise<HelperClient> {
    const conn = connectionFromStreams(input, output);
    const client = new HelperClient(conn, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (onDispose) client.#onClose.push(onDispose);
    conn.listen();
    const info = await client
      .hello({
        timeoutMs: opts.connectTimeoutMs ?? 5_000,
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
      .catch((err: unknown) => {
        client.close();
        throw err;
      });
    if (info.protocol !== PROTOCOL || info.version !== PROTOCOL_VERSION) {
      client.close();
      throw new HelperError(
        "HELPER_PROTOCOL_MISMATCH",
        `helper speaks ${info.protocol} v${info.version}, this agent needs ${PROTOCOL} v${PROTOCOL_VERSION}`,
      );
    }
    client.info = info;
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  hello(opts?: CallOptions): Promise<ResultOf<"hello">> {
    return this.#call(methods.hello, {}, opts);
  }
  createContainer(
    params: ParamsOf<"createContainer">,
    opts?: CallOptions,
  ): Promise<ResultOf<"createContainer">> {
    return this.#call(methods.createContainer, params, opts);
  }
  usbMount(params: ParamsOf<"usbMount">, opts?: CallOptions): Promise<ResultOf<"usbMount">> {
    return this.#call(methods.usbMount, params, opts);
  }
  usbUnmount(params: ParamsOf<"usbUnmount">, opts?: CallOptions): Promise<ResultOf<"usbUnmount">> {
    return this.#call(methods.usbUnmount, params, opts);
  }
  smart(params: ParamsOf<"smart">, opts?: CallOptions): Promise<ResultOf<"smart">> {
    return this.#call(methods.smart, params, opts);
  }
  sensors(opts?: CallOptions): Promise<ResultOf<"sensors">> {
    return this.#call(methods.sensors, {}, opts);
  }

  /** Closes the connection; pending calls reject with HELPER_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.dispose();
    for (const f of this.#onClose.splice(0)) f();
  }

  async #call<P extends z.ZodMiniType, R extends z.ZodMiniType>(
    def: MethodDef<string, P, R>,
    params: unknown,
    opts: CallOptions = {},
  ): Promise<z.output<R>> {
    const method = def.method;
    if (this.#closed)
      throw new HelperError("HELPER_CLOSED", `${method}: the helper connection is closed`, {
        method,
      });
    const checked = def.params.safeParse(params);
    if (!checked.success) {
      // Refused before sending; the message names the fields, never their values.
      const fields = [
        ...new Set(checked.error.issues.map((i) => i.path.join(".") || "(params)")),
      ].join(", ");
      throw new HelperError("HELPER_INVALID_PARAMS", `${method}: invalid params: ${fields}`, {
        method,
      });
    }
    opts.signal?.throwIfAborted();
    const cts = new CancellationTokenSource();
    const timeoutMs = opts.timeoutMs ?? this.#defaultTimeoutMs;
    let settle: ((err: HelperError) => void) | undefined;
    const stopped = new Promise<never>((_, rej) => (settle = rej));
    const timer = setTimeout(() => {
      cts.cancel();
      settle?.(
        new HelperError("HELPER_CALL_TIMEOUT", `${method}: no answer within ${timeoutMs} ms`, {
          method,
        }),
      );
    }, timeoutMs);
    const onAbort = (): void => {
      cts.cancel();
      settle?.(
        new HelperError("HELPER_ABORTED", `${method}: aborted`, {
          method,
          cause: opts.signal?.reason,
        }),
      );
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const onClosed = (): void =>
      settle?.(
        new HelperError("HELPER_CLOSED", `${method}: the helper closed the connection`, { method }),
      );
    this.#onClose.push(onClosed);
    try {
      const type = def.type as unknown as RequestType<unknown, unknown, void>;
      const sent = this.#conn.sendRequest(type, checked.data, cts.token);
      let raw: unknown;
      try {
        raw = await Promise.race([sent, stopped]);
      } catch (err) {
        if (isHelperError(err)) throw err;
        if (isWireError(err)) throw HelperError.fromWire(err.code, method);
        throw new HelperError("HELPER_CLOSED", `${method}: the helper connection failed`, {
          method,
          cause: err,
        });
      }
      const result = def.result.safeParse(raw);
      if (!result.success) {
        throw new HelperError(
          "HELPER_BAD_RESULT",
          `${method}: the helper's answer does not match the contract`,
          {
            method,
          },
        );
      }
      return result.data;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      const i = this.#onClose.indexOf(onClosed);
      if (i >= 0) this.#onClose.splice(i, 1);
      cts.dispose();
      stopped.catch(() => undefined);
    }
  }
}

function openSocket(path: string, opts: HelperClientOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ path });
    const timeoutMs = opts.connectTimeoutMs ?? 5_000;
    const fail = (err: HelperError): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new HelperError(
            "HELPER_CONNECT_FAILED",
            `no connection to the helper within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) =>
      fail(
        new HelperError(
          "HELPER_CONNECT_FAILED",
          `cannot connect to the helper socket ${path}: ${err.code ?? "error"}`,
          {
            cause: err,
          },
        ),
      ),
    );
    opts.signal?.addEventListener(
      "abort",
      () => fail(new HelperError("HELPER_ABORTED", "connect aborted")),
      {
        once: true,
      },
    );
  });
}
