// One task wait as the CLI runs it: a fresh process with a new Client of the compiled pve-client, which starts
// the task and waits for it. Plain JavaScript with no loader. Reads its job as one JSON line on stdin, says
// "ready" (modules loaded, no connection opened yet), and on "go" starts the task, waits, and prints one JSON
// line: the UPID, when the wait returned (epoch ms), and the wait's "pve task wait estimate" log line.
import { createInterface } from "node:readline";
import { Client, silentLogger } from "@felhom/pve-client";

const lines = createInterface({ input: process.stdin });
const next = () => new Promise((resolve) => lines.once("line", resolve));
const job = JSON.parse(await next());
let estimate;
const logger = {
  ...silentLogger,
  debug(obj, msg) {
    if (msg === "pve task wait estimate") estimate = obj;
  },
  isLevelEnabled: (level) => level === "debug",
};
const client = new Client({
  baseUrl: job.url,
  token: job.token,
  tls: { ca: job.ca },
  logger,
});
process.stdout.write("ready\n");
await next();
try {
  const upid = await client[job.action](job.node, "qemu", job.vmid);
  const outcome = await client.waitTask(upid, job.wait);
  const returnedMs = Date.now();
  // the estimate line of a list read abandoned by the wait's end comes one turn later
  await new Promise((resolve) => setImmediate(resolve));
  process.stdout.write(
    `${JSON.stringify({ upid: upid.raw, returnedMs, outcome: outcome.status, estimate })}\n`,
  );
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: `${err.code ?? ""} ${err.message}` })}\n`);
} finally {
  await client.close();
  lines.close();
}
