// Shared by the fence preloads: records a forbidden attempt as one JSON line in $FENCE_LOG and makes it throw.
import { appendFileSync } from "node:fs";

export function record(what) {
  const log = process.env.FENCE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ what, pid: process.pid })}\n`);
}

export function denied(what) {
  return function fenceDenied() {
    record(what);
    throw new Error(`fence: ${what} is forbidden in this process`);
  };
}
