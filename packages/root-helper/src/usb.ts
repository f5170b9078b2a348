// usb.mount / usb.unmount: serialised (one mount operation at a time); the device is found by enumeration, the
// unit is written by the helper and started by PID 1, and only a unit the helper wrote is ever removed.
import { unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HelperFailure, type Handler } from "@felhom/helper-protocol";
import { daemonReload, lsblk, systemctlNow } from "./argv.js";
import type { Dirs, HelperConfig, Limits, ToolPaths } from "./config.js";
import { runnerFor } from "./exec.js";
import {
  createUnitFile,
  escapePath,
  mountOptions,
  renderMountUnit,
  unitOwner,
} from "./mount-unit.js";
import { eligibleDevice, usbLinkOf } from "./usb-device.js";
import { assertNotInUse } from "./usb-in-use.js";

type Agent = Pick<HelperConfig, "agentUid" | "agentGid">;

export function usbHandlers(tools: ToolPaths, dirs: Dirs & Agent, limits: Limits) {
  // One mount operation at a time: each starts when the previous one has settled, however it ended.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(op: () => Promise<T>): Promise<T> => (queue = queue.then(op, op));
  const unitOf = (name: string) => {
    const where = `${dirs.mountBase}/${name}`;
    const unit = `${escapePath(where)}.mount`;
    return { where, unit, path: join(dirs.unitDir, unit) };
  };

  const usbMount: Handler<"usbMount"> = (p, ctx) =>
    serialised(async () => {
      const run = runnerFor(ctx, limits);
      const { where, unit, path } = unitOf(p.name);
      const owner = await unitOwner(path);
      if (owner !== "none")
        throw new HelperFailure(owner === "helper" ? "ALREADY_EXISTS" : "NOT_OWNED");
      const listing = await run(lsblk(tools));
      if (listing.exitCode !== 0) throw new HelperFailure("TOOL_FAILED");
      const name = eligibleDevice(listing.stdout, p);
      const device = await usbLinkOf(dirs.byIdDir, name);
      await assertNotInUse(dirs, name.replace(/[0-9]+$/, ""), name); // sdX of sdXN (sd names only)
      // By filesystem UUID: no other filesystem on this disk, or anywhere, can take its place.
      const what = join(dirname(dirs.byIdDir), "by-uuid", p.uuid);
      const options = mountOptions(p.fstype, dirs.agentUid, dirs.agentGid);
      const text = renderMountUnit({ name: p.name, what, where, type: p.fstype, options });
      await createUnitFile(path, text);
      try {
        for (const argv of [daemonReload(tools), systemctlNow(tools, "enable", unit)])
          if ((await run(argv)).exitCode !== 0) throw new HelperFailure("TOOL_FAILED");
      } catch (err) {
        // Roll back to no unit at all, so the agent can simply try again.
        await run(systemctlNow(tools, "disable", unit)).catch(() => undefined);
        await unlink(path).catch(() => undefined);
        await run(daemonReload(tools)).catch(() => undefined);
        throw err;
      }
      return { name: p.name, unit, where, device };
    });

  const usbUnmount: Handler<"usbUnmount"> = (p, ctx) =>
    serialised(async () => {
      const run = runnerFor(ctx, limits);
      const { unit, path } = unitOf(p.name);
      const owner = await unitOwner(path);
      if (owner !== "helper") throw new HelperFailure(owner === "none" ? "NOT_FOUND" : "NOT_OWNED");
      if ((await run(systemctlNow(tools, "disable", unit))).exitCode !== 0)
        throw new HelperFailure("TOOL_FAILED");
      await unlink(path);
      if ((await run(daemonReload(tools))).exitCode !== 0) throw new HelperFailure("TOOL_FAILED");
      return { name: p.name, unit };
    });

  return { usbMount, usbUnmount };
}
