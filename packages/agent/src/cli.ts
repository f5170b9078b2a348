#!/usr/bin/env node
// Entry of the `felhom` CLI (installed as /usr/bin/felhom): SIGINT/SIGTERM stop waiting for a task (the task
// itself keeps running on PVE), and the exit code is the command's.
import { runCli } from "./cli/run.js";
import { processIo } from "./cli/io.js";

const stop = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(sig);
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIo(stop.signal));
