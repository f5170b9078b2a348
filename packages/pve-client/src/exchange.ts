// One HTTP attempt over an undici dispatcher, recording whether the request reached a socket: that phase
// decides whether a failed mutating call may be sent again. Keeps the reason phrase, where PVE puts its message.
import { gunzipSync, inflateSync } from "node:zlib";
import type { Dispatcher } from "undici";

export interface RawResponse {
  status: number;
  statusText: string;
  contentType: string | undefined;
  body: Buffer;
}

/** Why an attempt produced no response. `sent` is false only when the request never reached a socket. */
export class AttemptFailure extends Error {
  readonly kind: "transport" | "timeout" | "aborted";
  readonly sent: boolean;
  constructor(kind: "transport" | "timeout" | "aborted", sent: boolean, cause?: unknown) {
    super(kind, { cause });
    this.kind = kind;
    this.sent = sent;
  }
}

export interface ExchangeOptions {
  dispatcher: Dispatcher;
  origin: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal | undefined;
}

/** Sends one request and collects the whole response; rejects only with AttemptFailure. */
export function exchange(o: ExchangeOptions): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let sent = false;
    let settled = false;
    let abortRequest: ((reason: Error) => void) | undefined;
    let pendingAbort: Error | undefined;
    let status = 0;
    let statusText = "";
    let contentType: string | undefined;
    let contentEncoding: string | undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;

    const finish = (err: AttemptFailure | undefined, res?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else if (res) resolve(res);
    };
    const stop = (failure: AttemptFailure): void => {
      // Settle first: aborting calls onResponseError synchronously, which must not win.
      finish(failure);
      const reason = new Error(failure.kind);
      if (abortRequest) abortRequest(reason);
      else pendingAbort = reason;
    };
    const onAbort = (): void => stop(new AttemptFailure("aborted", sent, o.signal?.reason));
    const timer = setTimeout(() => stop(new AttemptFailure("timeout", sent)), o.timeoutMs);
    if (o.signal) {
      if (o.signal.aborted) {
        finish(new AttemptFailure("aborted", false, o.signal.reason));
        return;
      }
      o.signal.addEventListener("abort", onAbort, { once: true });
    }

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        abortRequest = (reason) => controller.abort(reason);
        if (pendingAbort) {
          controller.abort(pendingAbort);
          return;
        }
        sent = true;
      },
      onResponseStart(_controller, statusCode, headers, statusMessage) {
        status = statusCode;
        statusText = statusMessage ?? "";
        const ct = headers["content-type"];
        contentType = Array.isArray(ct) ? ct[0] : ct;
        const ce = headers["content-encoding"];
        contentEncoding = Array.isArray(ce) ? ce[0] : ce;
      },
      onResponseData(controller, chunk) {
        bytes += chunk.length;
        if (bytes > o.maxBytes) {
          const err = new Error(`response larger than ${o.maxBytes} bytes`);
          controller.abort(err);
          finish(new AttemptFailure("transport", true, err));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        let body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, bytes);
        try {
          if (contentEncoding === "gzip") body = gunzipSync(body);
          else if (contentEncoding === "deflate") body = inflateSync(body);
        } catch (err) {
          finish(new AttemptFailure("transport", true, err));
          return;
        }
        finish(undefined, { status, statusText, contentType, body });
      },
      onResponseError(_controller, error) {
        const code = (error as { code?: unknown }).code;
        const kind =
          code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT"
            ? "timeout"
            : "transport";
        finish(new AttemptFailure(kind, sent, error));
      },
    };

    try {
      o.dispatcher.dispatch(
        {
          origin: o.origin,
          path: o.path,
          method: o.method,
          headers: o.headers,
          body: o.body ?? null,
          headersTimeout: o.timeoutMs,
          bodyTimeout: o.timeoutMs,
          // undici may only re-send idempotent requests on its own; tell it which are.
          idempotent: o.method === "GET",
        },
        handler,
      );
    } catch (err) {
      finish(new AttemptFailure("transport", false, err));
    }
  });
}
