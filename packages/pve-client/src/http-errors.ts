// Maps a non-2xx answer onto the taxonomy. The message comes from the body's `message`, else the status line,
// else the per-field `errors`; 401, 403, lock texts and the 595–599 pseudo statuses get their own shape.
import {
  PSEUDO_STATUS,
  PveAuthError,
  PveHttpError,
  type HttpContext,
  type PveError,
} from "./errors.js";
import type { RawResponse } from "./exchange.js";
import { classifyPveMessage } from "./pve-messages.js";
import type { PveRequest } from "./request.js";

interface ErrorBody {
  message: string | undefined;
  fieldErrors: Record<string, string>;
}

function readErrorBody(raw: RawResponse): ErrorBody {
  const out: ErrorBody = { message: undefined, fieldErrors: {} };
  if (raw.body.length === 0 || raw.body.length > 1_000_000) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.body.toString("utf8"));
  } catch {
    return out;
  }
  if (typeof parsed !== "object" || parsed === null) return out;
  const { message, errors } = parsed as { message?: unknown; errors?: unknown };
  if (typeof message === "string" && message.trim() !== "") out.message = message.trim();
  if (typeof errors === "object" && errors !== null && !Array.isArray(errors)) {
    for (const [k, v] of Object.entries(errors)) {
      out.fieldErrors[k] = typeof v === "string" ? v.trim() : JSON.stringify(v);
    }
  }
  return out;
}

/** Builds the typed error for an HTTP answer outside 2xx. */
export function mapHttpError(req: PveRequest, raw: RawResponse): PveError {
  const { message: bodyMessage, fieldErrors } = readErrorBody(raw);
  const statusText = raw.statusText.trim();
  const fields = Object.entries(fieldErrors)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  // PVE repeats its message in the reason phrase; the body carries it in full (the status line holds
  // only its first line) and survives proxies that drop reason phrases.
  const primary = bodyMessage ?? (statusText || undefined);
  let text = primary ?? (fields || `HTTP ${raw.status}`);
  if (primary && fields) text = `${primary} (${fields})`;
  const pseudo = PSEUDO_STATUS[raw.status];
  const suffix = pseudo ? ` [${raw.status} ${pseudo.name}: ${pseudo.hint}]` : "";
  const message = `${req.method} ${req.path}: ${raw.status} ${text}${suffix}`;
  const http: HttpContext = {
    method: req.method,
    path: req.path,
    status: raw.status,
    statusText,
    fieldErrors,
  };
  if (raw.status === 401) return new PveAuthError(message, http);
  const special = classifyPveMessage(text, message, { http });
  if (special) return special;
  if (raw.status === 403) {
    return (
      classifyPveMessage("Permission check failed", message, { http }) ??
      new PveHttpError(message, http)
    );
  }
  return new PveHttpError(message, http);
}
