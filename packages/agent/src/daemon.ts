#!/usr/bin/env node
// Entry of the felhom-agent daemon (systemd: ExecStart=/usr/bin/node …/agent/dist/daemon.js --config …):
// wires SIGTERM/SIGINT to a clean stop and exits with the daemon's code.
import { runDaemon } from "./daemon-main.js";

const stop = new AbortController();
let signals = 0;
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    // A second signal means "now": the state file is still whole (every write is a rename).
    if (++signals > 1) process.exit(1);
    stop.abort(sig);
  });
}
process.on("unhandledRejection", (err) => {
  process.stderr.write(
    `felhom-agent: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});

process.exitCode = await runDaemon(process.argv.slice(2), {
  env: process.env,
  stderr: process.stderr,
  stopSignal: stop.signal,
});
