// Writes answers the way pveproxy does: the {"data": …} envelope (json and extjs formats), errors with the
// message in the status line and, as newer PVE does, in `message`; bodyless errors; Connection: close on errors.
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

export type Format = "json" | "extjs";

/** Status text that Node accepts: the first line of a message, printable Latin-1 only. */
export function statusLine(message: string): string {
  const first = /^(.*)$/m.exec(message)?.[1] ?? "";
  return first.replace(/[^\t\x20-\x7e\xa0-\xff]/g, "?");
}

function baseHeaders(res: ServerResponse, close: boolean): void {
  const date = new Date().toUTCString();
  res.setHeader("Cache-Control", "max-age=0");
  res.setHeader("Connection", close ? "close" : "Keep-Alive");
  res.setHeader("Date", date);
  res.setHeader("Pragma", "no-cache");
  res.setHeader("Server", "pve-api-daemon/3.0");
  res.setHeader("Expires", date);
  if (close) res.shouldKeepAlive = false;
}

/** Sends a JSON body (already serialized), gzipped above 1 KiB when the client accepts it, as pveproxy does. */
export function sendBody(
  res: ServerResponse,
  status: number,
  message: string,
  body: Buffer,
  acceptGzip: boolean,
  gzipped?: Buffer,
): void {
  baseHeaders(res, status >= 400);
  res.statusCode = status;
  res.statusMessage = statusLine(message);
  res.setHeader("Content-Type", "application/json;charset=UTF-8");
  let out = body;
  if (acceptGzip && body.length > 1024) {
    out = gzipped ?? gzipSync(body);
    res.setHeader("Content-Encoding", "gzip");
  }
  res.setHeader("Content-Length", out.length);
  res.end(out);
}

/** An error without a body (the status line carries the message), e.g. 401, 501 "no such uri". */
export function sendBodyless(res: ServerResponse, status: number, message: string): void {
  baseHeaders(res, true);
  res.statusCode = status;
  res.statusMessage = statusLine(message);
  res.setHeader("Content-Length", 0);
  res.end();
}

export interface Envelope {
  status: number;
  message?: string;
  data: unknown;
  errors?: Record<string, string>;
  total?: number;
}

/** prepare_response_data + the json/extjs formatter. `total` only when truthy, as the Perl code tests it. */
export function serialize(
  format: Format,
  env: Envelope,
): { status: number; message: string; body: Buffer } {
  const isError = env.status >= 400;
  const out: Record<string, unknown> = { data: env.data ?? null };
  const hasErrors = env.errors !== undefined && Object.keys(env.errors).length > 0;
  if (hasErrors) out.errors = env.errors;
  const message = env.message ?? (isError ? String(env.status) : "OK");
  let status = env.status;
  if (format === "extjs") {
    if (isError) {
      out.message = message;
      out.status = env.status;
      status = 200;
    }
    out.success = isError || hasErrors ? 0 : 1;
  } else if (isError) {
    out.message = message;
  }
  if (!isError && !hasErrors && env.total) out.total = env.total;
  return {
    status,
    message: status === 200 ? "OK" : message,
    body: Buffer.from(JSON.stringify(out)),
  };
}

/** A download (GET …/log?download=1): the raw file as text/plain. */
export function sendRaw(res: ServerResponse, contentType: string, body: Buffer): void {
  baseHeaders(res, false);
  res.statusCode = 200;
  res.statusMessage = "OK";
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", body.length);
  res.end(body);
}
