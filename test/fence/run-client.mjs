// Run-time fence, API side: loads the built pve-client (with deny-spawn.mjs preloaded) and runs reads and a task
// against the simulator given in the environment, printing one JSON line with what it did.
import { Client } from "@felhom/pve-client";

const client = new Client({
  baseUrl: process.env.PVE_URL,
  token: process.env.PVE_TOKEN,
  tls: { fingerprint256: process.env.PVE_FINGERPRINT },
});
const node = process.env.PVE_NODE ?? "pve";
const done = [];
const version = await client.version();
done.push(`version ${version.version}`);
done.push(`nodeStatus cpu ${(await client.nodeStatus(node)).cpu}`);
done.push(`guests ${(await client.listGuests(node)).length}`);
done.push(`storage ${(await client.storageList(node)).length}`);
const upid = await client.start(node, "lxc", 101);
const outcome = await client.waitTask(upid, { timeoutMs: 20_000, onLog: () => undefined });
done.push(`start ${outcome.status}`);
done.push(`taskLog ${(await client.taskLog(upid)).total}`);
await client.close();
process.stdout.write(`${JSON.stringify({ done })}\n`);
