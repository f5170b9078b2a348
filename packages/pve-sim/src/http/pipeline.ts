// One API request, in pveproxy's order: method and URI checks, faults, token authentication, body limits and
// parsing, routing, token/permission checks, proxying by node, schema validation, the handler, the answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkApiPermissions } from "../auth/api-permissions.js";
import { authenticate } from "../auth/authenticate.js";
import type { SimCore } from "../core.js";
import { PveApiError, dieError, isPveApiError, paramError, permError } from "../errors.js";
import type { ApiResult } from "../handlers/types.js";
import type { Router } from "../router.js";
import { KNOWN_RETURN_GAPS } from "../schema/known-gaps.js";
import { checkReturns } from "../schema/validate-returns.js";
import { validateParams } from "../schema/validate-params.js";
import type { RecordedRequest } from "../types.js";
import { extractParams, mediaType } from "./params.js";
import { defaultStatusText, readBody, redact, sleep } from "./request-utils.js";
import { sendBody, sendBodyless, sendRaw, serialize } from "./respond.js";
import { text } from "../text.js";

const KNOWN_METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);
/** pveproxy's $limit_max_post. */
export const MAX_BODY = 512 * 1024;

export class Pipeline {
  private seq = 0;

  private readonly core: SimCore;
  private readonly router: Router;

  constructor(core: SimCore, router: Router) {
    this.core = core;
    this.router = router;
  }

  private record(method: string, path: string): RecordedRequest {
    const { requests, options } = this.core;
    const rec: RecordedRequest = {
      seq: ++this.seq,
      method,
      path,
      params: {},
      mutating: method === "POST" || method === "PUT" || method === "DELETE",
      at: this.core.clock.now(),
      applied: false,
    };
    requests.push(rec);
    if (requests.length > options.maxRecordedRequests * 1.1)
      requests.splice(0, requests.length - options.maxRecordedRequests);
    return rec;
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
  ): Promise<void> {
    const method = req.method ?? "GET";
    const rec = this.record(method, path);
    res.on("finish", () => (rec.status = res.statusCode));
    if (!KNOWN_METHODS.has(method))
      return sendBodyless(res, 501, `method '${method}' not available`);
    const te = req.headers["transfer-encoding"];
    if (te) {
      const msg =
        te.toLowerCase() === "chunked"
          ? "chunked transfer encoding not supported"
          : `Unknown transfer encoding '${te}'`;
      return sendBodyless(res, 501, msg);
    }
    if (!path.startsWith("/api2")) return sendBodyless(res, 501, `no such file '${path}'`);
    const m = /^\/api2\/+([a-z][a-z0-9]+)(\/.*)?$/.exec(path);
    if (!m) return sendBodyless(res, 501, "no such uri");
    const format = m[1] ?? "json";
    const rel = m[2] ?? "/";
    rec.path = rel;

    const fault = this.core.faults.decide(method, rel);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    const action = fault.action;
    if (action?.type === "reset-before-read") return void req.socket.destroy();
    if (action?.type === "status") {
      const text = action.statusText ?? defaultStatusText(action.status);
      if (action.bodyless) return sendBodyless(res, action.status, text);
      const out = serialize("json", { status: action.status, message: text, data: null });
      return sendBody(res, out.status, out.message, out.body, false);
    }
    if (action?.type === "data-null") {
      const out = serialize("json", { status: 200, data: null });
      return sendBody(res, 200, "OK", out.body, false);
    }

    const auth = authenticate(
      this.core.state.access,
      req.headers,
      Math.floor(this.core.clock.now() / 1000),
    );
    if (!auth.ok) {
      const delay = this.core.options.authFailureDelayMs;
      if (delay > 0) await sleep(delay);
      return sendBodyless(res, 401, auth.reason);
    }
    rec.authid = auth.authid;

    const len = Number(req.headers["content-length"] ?? 0);
    if (len > 0 && method !== "POST" && method !== "PUT")
      return sendBodyless(res, 501, `Unexpected content for method '${method}'`);
    if (len > MAX_BODY) return sendBodyless(res, 501, "for data too large");
    const ctype = req.headers["content-type"];
    const ct = mediaType(ctype);
    if (len > 0 && ct && ct !== "application/x-www-form-urlencoded" && ct !== "application/json")
      return sendBodyless(res, 506, `upload 'Content-Type '${ctype}' not implemented`);
    let body: Buffer = Buffer.alloc(0);
    if (len > 0) {
      try {
        body = await readBody(req, len);
      } catch {
        return void req.socket.destroy();
      }
    }
    if (format !== "json" && format !== "extjs")
      return sendBodyless(res, 501, `no formatter for uri ${rel}, ${format}`);
    const extracted = extractParams(method, ctype, body, query);
    if (isPveApiError(extracted)) return sendBodyless(res, 500, extracted.message);
    rec.params = redact(extracted);

    let out: { status: number; message: string; body: Buffer; gzip?: Buffer };
    try {
      const result = await this.dispatch(method, rel, auth.authid, extracted, rec);
      if ("raw" in result) {
        if (action?.type === "reset-after-read") return void req.socket.destroy();
        return sendRaw(res, result.raw.contentType, result.raw.body);
      }
      if ("cached" in result) out = { status: 200, message: "OK", ...result.cached };
      else
        out = serialize(format, {
          status: 200,
          data: result.data,
          ...(result.total ? { total: result.total } : {}),
        });
    } catch (err) {
      const e = isPveApiError(err) ? err : this.internal(err);
      out = serialize(format, {
        status: e.status,
        message: e.message,
        data: null,
        ...(e.errors ? { errors: e.errors } : {}),
      });
    }
    if (action?.type === "reset-after-read") return void req.socket.destroy();
    const gzip = /gzip/.test(req.headers["accept-encoding"] ?? "");
    sendBody(res, out.status, out.message, out.body, gzip, out.gzip);
  }

  private internal(err: unknown): PveApiError {
    this.core.log(
      `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return dieError(err instanceof Error ? err.message : String(err));
  }

  private async dispatch(
    method: string,
    rel: string,
    authid: string,
    raw: Record<string, unknown>,
    rec: RecordedRequest,
  ): Promise<ApiResult> {
    const route = this.router.resolve(method, rel);
    if (!route?.handler)
      throw new PveApiError(
        501,
        `Method '${method} ${rel}' not implemented`,
        undefined,
        false,
        false,
      );
    const merged: Record<string, unknown> = { ...route.uri };
    for (const [k, v] of Object.entries(raw)) {
      if (route.uri[k] !== undefined && String(route.uri[k]) !== String(v))
        throw paramError({
          [k]: "duplicate parameter (already defined in URI) with conflicting values!",
        });
      merged[k] = v;
    }
    if (!route.op.allowtoken)
      throw permError(`URI '${rel}' not available with API token, need proper ticket.\n`);
    const { state } = this.core;
    checkApiPermissions(state.access, authid, route.op.permissions, merged);
    if (
      route.op.proxyto === "node" &&
      merged.node !== undefined &&
      text(merged.node) !== state.node.name
    ) {
      const node = text(merged.node);
      throw dieError(
        `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known\n`,
      );
    }
    const checked = validateParams(route.op.parameters, merged);
    if (!checked.ok) throw paramError(checked.errors);
    rec.applied = true;
    const result = await route.handler({
      core: this.core,
      method,
      path: rel,
      authid,
      params: checked.params,
      op: route.op,
      record: rec,
    });
    if (this.core.options.validateResponses && "data" in result) {
      const gaps = KNOWN_RETURN_GAPS[`${route.op.method} ${route.op.path}`] ?? [];
      const problems = checkReturns(route.op.returns, result.data)
        .filter((p) => !gaps.includes(p.path.replace(/\[\d+\]/g, "[]")))
        .map((p) => `${p.path || "(data)"}: ${p.problem}`);
      if (problems.length > 0) {
        this.core.responseProblems.push({ method, path: rel, problems });
        throw dieError(`pve-sim: response violates the schema: ${problems.join("; ")}`);
      }
    }
    return result;
  }
}
