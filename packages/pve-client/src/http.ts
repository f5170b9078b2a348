// The transport: turns a PveRequest into an HTTPS call with the token header, retries by phase (never
// re-sending a mutating call that may have arrived), unwraps PVE's {"data": …} envelope and maps failures
// onto the error taxonomy. Trace logs name method, path and redacted parameters, never headers.
import type { Dispatcher } from "undici";
import {
  PveAbortedError,
  PveRequestTimeoutError,
  PveResponseShapeError,
  PveTransportError,
} from "./errors.js";
import type { AttemptFailure } from "./exchange.js";
import { exchange, type RawResponse } from "./exchange.js";
import { hasPveCode } from "./error-guards.js";
import { mapHttpError } from "./http-errors.js";
import { levelEnabled, redactParams, type Logger } from "./logger.js";
import { formEncode, isMutating, type PveRequest } from "./request.js";
import { sleep } from "./sleep.js";
import type { ApiToken } from "./token.js";

export interface RetryOptions {
  /** Total attempts for a retryable failure, including the first. Default 3. */
  attempts?: number;
  /** First backoff delay in ms (full jitter, doubling). Default 200. */
  baseMs?: number;
  /** Largest backoff delay in ms. Default 2000. */
  maxMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-request timeout for this call. */
  timeoutMs?: number;
}

export interface TransportConfig {
  origin: string;
  basePath: string;
  token: ApiToken;
  dispatcher: Dispatcher;
  requestMs: number;
  retry: Required<RetryOptions>;
  logger: Logger;
  maxResponseBytes: number;
  random: () => number;
}

/** Statuses after which a GET is tried again: gateway trouble and pveproxy's forwarding failures. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504, 595, 596, 597, 599]);

// Certificate problems are configuration errors, and a closed client stays closed: trying again cannot help.
const FATAL = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|^UND_ERR_(?:DESTROYED|CLOSED)$/;

/** True for transport failures that no retry can fix (certificate trouble, a closed client). */
export function isFatalTransportCode(code: string | undefined): boolean {
  return code !== undefined && FATAL.test(code);
}

export class Transport {
  readonly #c: TransportConfig;
  readonly #auth: string;

  constructor(config: TransportConfig) {
    this.#c = config;
    this.#auth = config.token.authorizationHeader();
  }

  /** Sends the request and returns PVE's envelope: `data` (not yet validated) and siblings like `total`. */
  async call(req: PveRequest, opts: CallOptions = {}): Promise<Envelope> {
    const { retry, logger } = this.#c;
    const mutating = isMutating(req.method);
    const timeoutMs = opts.timeoutMs ?? this.#c.requestMs;
    const trace = levelEnabled(logger, "trace");
    const query = req.method === "GET" || req.method === "DELETE" ? formEncode(req.params) : "";
    const path = `${this.#c.basePath}${req.path}${query ? `?${query}` : ""}`;
    const body = req.method === "POST" || req.method === "PUT" ? formEncode(req.params) : undefined;
    const headers: Record<string, string> = {
      authorization: this.#auth,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";

    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      if (trace) {
        logger.trace(
          { method: req.method, path: req.path, attempt, params: redactParams(flat(req.params)) },
          "pve request",
        );
      }
      let raw: RawResponse;
      try {
        raw = await exchange({
          dispatcher: this.#c.dispatcher,
          origin: this.#c.origin,
          method: req.method,
          path,
          headers,
          body,
          timeoutMs,
          maxBytes: this.#c.maxResponseBytes,
          signal: opts.signal,
        });
      } catch (err) {
        const f = err as AttemptFailure;
        if (f.kind === "aborted") throw new PveAbortedError(req.method, req.path, f.sent);
        if (hasPveCode(f.cause, "PVE_TLS_PIN_MISMATCH")) throw f.cause;
        const rawCode = (f.cause as { code?: unknown } | undefined)?.code;
        const code = typeof rawCode === "string" ? rawCode : undefined;
        const fatal = isFatalTransportCode(code);
        const retryable = !fatal && (!f.sent || !mutating);
        logger.debug(
          { method: req.method, path: req.path, attempt, kind: f.kind, sent: f.sent, code },
          "pve request failed",
        );
        if (retryable && attempt < retry.attempts) {
          await this.#backoff(req, attempt, `${f.kind}${code ? ` ${code}` : ""}`, opts);
          continue;
        }
        if (f.kind === "timeout") {
          throw new PveRequestTimeoutError(req.method, req.path, {
            timeoutMs,
            requestSent: f.sent,
            attempts: attempt,
            mutating,
          });
        }
        throw new PveTransportError(req.method, req.path, {
          requestSent: f.sent,
          attempts: attempt,
          mutating,
          cause: f.cause,
        });
      }
      if (trace) {
        logger.trace(
          {
            method: req.method,
            path: req.path,
            status: raw.status,
            ms: Math.round(performance.now() - started),
            bytes: raw.body.length,
          },
          "pve response",
        );
      }
      if (raw.status >= 200 && raw.status < 300) return unwrapEnvelope(req, raw);
      const error = mapHttpError(req, raw);
      if (!mutating && RETRY_STATUSES.has(raw.status) && attempt < retry.attempts) {
        await this.#backoff(req, attempt, `HTTP ${raw.status}`, opts);
        continue;
      }
      throw error;
    }
  }

  async #backoff(req: PveRequest, attempt: number, reason: string, opts: CallOptions) {
    const { baseMs, maxMs } = this.#c.retry;
    const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
    const delayMs = Math.round(ceiling / 2 + (this.#c.random() * ceiling) / 2);
    this.#c.logger.debug(
      { method: req.method, path: req.path, attempt, delayMs, reason },
      "pve request retry",
    );
    try {
      await sleep(delayMs, opts.signal);
    } catch {
      throw new PveAbortedError(req.method, req.path, attempt > 0);
    }
  }
}

/** PVE's answer: `{"data": …}`, with `total` on paged lists such as task logs. */
export interface Envelope {
  data: unknown;
  total?: unknown;
}

function unwrapEnvelope(req: PveRequest, raw: RawResponse): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.body.toString("utf8"));
  } catch {
    throw new PveResponseShapeError(req.method, req.path, [
      { path: [], message: `body is not JSON (${raw.contentType ?? "no content type"})` },
    ]);
  }
  if (typeof parsed !== "object" || parsed === null || !("data" in parsed)) {
    throw new PveResponseShapeError(req.method, req.path, [
      { path: [], message: 'expected an object with a "data" member' },
    ]);
  }
  return parsed;
}

function flat(params: PveRequest["params"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === "string" ? v : v.join(",");
  return out;
}
