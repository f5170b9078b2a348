#!/usr/bin/node
// The compiled root helper (its library entry, as the demo uses it) in a process of its own for the soak, started
// with the production flags (--jitless --disallow-code-generation-from-strings) so its memory is measured alone.
// argv[2] is the JSON config; "ready PATH" goes to stdout, the audit lines to stderr. On SIGUSR2 it collects
// garbage (--expose-gc, the one flag added for measuring) and prints "rss BYTES", so memory is compared settled.
import { startHelper } from "@felhom/root-helper";

const config = JSON.parse(process.argv[2] ?? "{}");
const helper = await startHelper({ ...config, audit: (line) => process.stderr.write(`${line}\n`) });
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`rss ${m.rss} ${m.heapUsed} ${m.external + m.arrayBuffers}\n`);
});
process.stdout.write(`ready ${helper.address}\n`); // only now: a SIGUSR2 before its handler would kill us
const stop = () => void helper.close().then(() => process.exit(0));
process.once("SIGTERM", stop).once("SIGINT", stop);
