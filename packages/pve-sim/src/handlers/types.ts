// The contract between the request pipeline and the endpoint handlers.
import type { SimCore } from "../core.js";
import type { Params } from "../schema/validate-params.js";
import type { OperationSchema } from "../schema/types.js";
import type { TaskSpec } from "../tasks/manager.js";
import type { RecordedRequest } from "../types.js";
import { text } from "../text.js";

export interface ApiRequest {
  core: SimCore;
  method: string;
  /** Path after /api2/json. */
  path: string;
  /** The authenticated token id ("user@realm!name"). */
  authid: string;
  /** Validated and typed parameters, path parameters included. */
  params: Params;
  op: OperationSchema;
  record: RecordedRequest;
}

/** Either data for the envelope, or a ready serialized envelope from a response cache. */
export type ApiResult =
  | { data: unknown; total?: number }
  | { cached: { body: Buffer; gzip?: Buffer } }
  | { raw: { contentType: string; body: Buffer } };

export type Handler = (req: ApiRequest) => ApiResult | Promise<ApiResult>;

/** fork_worker: starts a task owned by the requester, applying any task-outcome fault; answers its UPID. */
export function startTask(req: ApiRequest, spec: Omit<TaskSpec, "user" | "fault">): ApiResult {
  const fault = req.core.faults.taskOutcome(req.method, req.path);
  const full: TaskSpec = { ...spec, user: req.authid };
  if (fault) {
    full.fault = { outcome: fault.outcome };
    if (fault.message !== undefined) full.fault.message = fault.message;
    if (fault.warnings !== undefined) full.fault.warnings = fault.warnings;
  }
  const task = req.core.state.tasks.start(full);
  req.record.upid = task.upid;
  return { data: task.upid };
}

export const str = (v: unknown): string | undefined => (v === undefined ? undefined : text(v));
export const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
