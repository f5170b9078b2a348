// What the workload remembers about each call, compactly (10,000 of them stay in memory during the RSS
// measurement), and how an error is classified: typed or not, its code, and whether it may have been sent.
import { inspect } from "node:util";
import { hasPveCode, isPveError, isTaskFailure, type AnyPveError } from "@felhom/pve-client";
import type { SecretScan } from "../lib/secret-scan.js";

/** How a waitTask ended, from the client's point of view. */
export interface WaitRecord {
  /** ok / warnings: an outcome; failed: a task-failure error; none: the wait ended without an outcome. */
  kind: "ok" | "warnings" | "failed" | "none";
  acceptWarnings: boolean;
  /** Warnings: whether the client threw PVE_TASK_WARNINGS (it must exactly when acceptWarnings is off). */
  thrown?: boolean;
  count?: number;
  /** The task's exitstatus as the failure error reports it. */
  exitstatus?: string;
  code?: string;
  ms: number;
}

export interface CallRecord {
  n: number;
  op: string;
  mutating: boolean;
  /** `METHOD /path` of a mutating call (below /api2/json), the unit the resend check counts by. */
  key?: string;
  /** Wall-clock start and end (ms), comparable with the simulator's recorded arrival times. */
  start: number;
  end: number;
  ms: number;
  /** The bound this call had to settle within. */
  deadlineMs: number;
  ok: boolean;
  code?: string;
  typed?: boolean;
  /** For errors that say: false = never left the client, true = may have reached PVE. */
  requestSent?: boolean;
  /** The HTTP status PVE answered with, when an answer arrived (200 on success). */
  httpStatus?: number;
  upid?: string;
  wait?: WaitRecord;
  /** A read that succeeded with an empty guest or resource list. */
  emptyList?: boolean;
}

export interface ErrorInfo {
  code: string;
  typed: boolean;
  requestSent?: boolean;
  httpStatus?: number;
}

function httpStatusOf(err: AnyPveError): number | undefined {
  const e = err as AnyPveError & { status?: unknown; http?: { status?: unknown } };
  if (typeof e.status === "number") return e.status;
  if (e.http && typeof e.http.status === "number") return e.http.status;
  if (err.code === "PVE_RESPONSE_SHAPE") return 200;
  return undefined;
}

/** Classifies an error and scans its texts (message, inspection, JSON) for the secret. */
export function describeError(err: unknown, scan: SecretScan): ErrorInfo {
  scan.scan(
    "client error messages and inspections",
    `${String(err)}\n${inspect(err, { depth: 5 })}\n${safeJson(err)}`,
  );
  if (!isPveError(err)) {
    const name = err instanceof Error ? err.name : typeof err;
    return {
      code: `UNTYPED:${name}:${err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120)}`,
      typed: false,
    };
  }
  const e = err as AnyPveError & { requestSent?: unknown };
  const status = httpStatusOf(err);
  return {
    code: err.code,
    typed: true,
    ...(typeof e.requestSent === "boolean" && status === undefined
      ? { requestSent: e.requestSent }
      : {}),
    ...(status === undefined ? {} : { httpStatus: status }),
  };
}

/** How a waitTask error reads as an outcome. */
export function waitFailure(
  err: unknown,
  acceptWarnings: boolean,
  ms: number,
  scan: SecretScan,
): WaitRecord {
  const info = describeError(err, scan);
  if (hasPveCode(err, "PVE_TASK_WARNINGS"))
    return {
      kind: "warnings",
      acceptWarnings,
      thrown: true,
      count: err.count,
      code: info.code,
      ms,
    };
  if (isTaskFailure(err)) {
    const task = (err as { task?: { exitstatus?: unknown } }).task;
    const exitstatus = typeof task?.exitstatus === "string" ? task.exitstatus : undefined;
    return {
      kind: "failed",
      acceptWarnings,
      code: info.code,
      ms,
      ...(exitstatus === undefined ? {} : { exitstatus }),
    };
  }
  return { kind: "none", acceptWarnings, code: info.code, ms };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return "";
  }
}
