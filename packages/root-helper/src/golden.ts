// golden.createContainer: one `pct create` at a time (a second concurrent request is Busy), only inside the
// golden-image policy, with exactly the argv of argv.ts. Returns the vmid and the last lines of pct's output
// with control characters removed.
import { HelperFailure, type Handler } from "@felhom/helper-protocol";
import { pctCreate } from "./argv.js";
import type { Dirs, Limits, ToolPaths } from "./config.js";
import { printable, runnerFor } from "./exec.js";
import { checkPolicy, readPolicy } from "./golden-policy.js";
import { guestConfigs } from "./guest-configs.js";

export function goldenHandler(
  tools: ToolPaths,
  dirs: Dirs,
  limits: Limits,
): Handler<"createContainer"> {
  let running = false;
  return async (params, ctx) => {
    if (running) throw new HelperFailure("BUSY");
    running = true;
    try {
      // Under the lock, so two creates cannot both pass the count. pmxcfs unreadable: the count is unknown.
      const policy = await readPolicy(dirs.goldenPolicy);
      const guests = await guestConfigs(dirs.pveDir).catch(() => undefined);
      if (guests === undefined) throw new HelperFailure("GOLDEN_LIMIT");
      checkPolicy(
        policy,
        params,
        guests.map((g) => g.vmid),
      );
      // Not tied to ctx.signal: a killed pct create leaves a locked container, so it always runs to its end.
      const out = await runnerFor(ctx, limits)(pctCreate(tools, params), limits.createTimeoutMs);
      if (out.exitCode !== 0) throw new HelperFailure("TOOL_FAILED");
      const lines = `${out.stdout}\n${out.stderr}`.split("\n").map((l) => printable(l, 4096));
      return { vmid: params.vmid, output: lines.filter((l) => l.trim() !== "").slice(-50) };
    } finally {
      running = false;
    }
  };
}
