// Server side of the contract: registers each method explicitly, validates params and results with the contract's
// schemas, and turns every failure into a fixed code and message. Unregistered methods are denied, never dispatched.
import type * as z from "zod/mini";
import jsonrpc from "vscode-jsonrpc";
import type { CancellationToken, RequestType } from "vscode-jsonrpc";
import type { MessageConnection } from "./transport.js";
import { HelperErrorCode, HelperErrorMessage, isWireError } from "./errors.js";
import type { HelperErrorName } from "./errors.js";
import { methods } from "./methods.js";
import type { MethodDef, MethodKey, Methods, ResultOf } from "./methods.js";
// vscode-jsonrpc is CommonJS: a default import, never Node's named-export detection (issue 13).
const { ResponseError } = jsonrpc;
type ResponseError<D> = jsonrpc.ResponseError<D>;

/** Thrown by a handler to answer with one of the contract's codes (and its fixed message). */
export class HelperFailure extends Error {
  override readonly name = "HelperFailure";
  readonly failure: Exclude<HelperErrorName, "PARSE_ERROR" | "INVALID_REQUEST">;
  constructor(
    failure: Exclude<HelperErrorName, "PARSE_ERROR" | "INVALID_REQUEST">,
    options?: { cause?: unknown },
  ) {
    super(HelperErrorMessage[failure], options);
    this.failure = failure;
  }
}

/** True for a handler's HelperFailure, matched by its `failure` (one of the contract's names), not by class. */
export function isHelperFailure(err: unknown): err is HelperFailure {
  if (!(err instanceof Error)) return false;
  const failure = (err as { failure?: unknown }).failure;
  return (
    typeof failure === "string" &&
    Object.hasOwn(HelperErrorCode, failure) &&
    failure !== "PARSE_ERROR" &&
    failure !== "INVALID_REQUEST"
  );
}

/** What a handler may use besides its validated params. */
export interface HandlerContext {
  /** Aborted when the peer cancels the request or the connection closes. */
  readonly signal: AbortSignal;
  /** Adds fields to this request's audit record (argv, exit code, ...). */
  note(fields: Record<string, unknown>): void;
}

export type Handler<K extends MethodKey> = (
  params: z.output<Methods[K]["params"]>,
  ctx: HandlerContext,
) => Promise<ResultOf<K>> | ResultOf<K>;

export type Handlers = { readonly [K in MethodKey]: Handler<K> };

/** One audit record per request, accepted or not. `params` is present only when they validated. */
export interface AuditRecord {
  method: string;
  decision: "denied" | "ok" | "failed";
  code?: number;
  params?: unknown;
  durationMs: number;
  [note: string]: unknown;
}

export interface RegisterOptions {
  onAudit?: (record: AuditRecord) => void;
  /** Aborted when the connection goes away; handlers' signals follow it. */
  signal?: AbortSignal;
}

function reject(name: HelperErrorName): ResponseError<void> {
  return new ResponseError(HelperErrorCode[name], HelperErrorMessage[name]);
}

function register<P extends z.ZodMiniType, R extends z.ZodMiniType>(
  conn: MessageConnection,
  def: MethodDef<string, P, R>,
  handler: (params: z.output<P>, ctx: HandlerContext) => Promise<z.output<R>> | z.output<R>,
  opts: RegisterOptions,
): void {
  const type = def.type as unknown as RequestType<unknown, unknown, void>;
  conn.onRequest(type, async (raw: unknown, token: CancellationToken) => {
    const started = performance.now();
    const notes: Record<string, unknown> = {};
    const audit = (decision: AuditRecord["decision"], code?: number, params?: unknown): void => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      opts.onAudit?.({
        ...notes,
        method: def.method,
        decision,
        ...(code === undefined ? {} : { code }),
        ...(params === undefined ? {} : { params }),
        durationMs,
      });
    };
    const parsed = def.params.safeParse(raw);
    if (!parsed.success) {
      audit("denied", HelperErrorCode.INVALID_PARAMS);
      throw reject("INVALID_PARAMS");
    }
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    const dispose = token.onCancellationRequested(abort);
    opts.signal?.addEventListener("abort", abort, { once: true });
    try {
      const result = await handler(parsed.data, {
        signal: controller.signal,
        note: (fields) => Object.assign(notes, fields),
      });
      const checked = def.result.safeParse(result);
      if (!checked.success) {
        audit("failed", HelperErrorCode.INTERNAL_ERROR, parsed.data);
        throw reject("INTERNAL_ERROR");
      }
      audit("ok", undefined, parsed.data);
      return checked.data;
    } catch (err) {
      if (isWireError(err)) throw err;
      const name = isHelperFailure(err) ? err.failure : "INTERNAL_ERROR";
      audit(name === "PEER_DENIED" ? "denied" : "failed", HelperErrorCode[name], parsed.data);
      throw reject(name);
    } finally {
      dispose.dispose();
      opts.signal?.removeEventListener("abort", abort);
    }
  });
}

/**
 * Registers every method of the contract on `conn`, each by its own line: there is no lookup of a handler by a
 * name that came off the wire. Requests for any other method are audited as denied and answered MethodNotFound.
 */
export function registerHelperMethods(
  conn: MessageConnection,
  handlers: Handlers,
  opts: RegisterOptions = {},
): void {
  register(conn, methods.hello, handlers.hello, opts);
  register(conn, methods.createContainer, handlers.createContainer, opts);
  register(conn, methods.usbMount, handlers.usbMount, opts);
  register(conn, methods.usbUnmount, handlers.usbUnmount, opts);
  register(conn, methods.smart, handlers.smart, opts);
  register(conn, methods.sensors, handlers.sensors, opts);
  // Fallback for unregistered names only: it denies and runs nothing.
  conn.onRequest((method: string) => {
    opts.onAudit?.({
      method: method.slice(0, 64),
      decision: "denied",
      code: HelperErrorCode.METHOD_NOT_FOUND,
      durationMs: 0,
    });
    return reject("METHOD_NOT_FOUND");
  });
}
