// start / stop / shutdown for containers (vzstart, vzstop, vzshutdown) and VMs (qmstart, qmstop, qmshutdown),
// with PVE's split between synchronous checks and checks inside the worker under the config lock.
import { dieError, paramError } from "../errors.js";
import type { GuestType } from "../state/model.js";
import { checkLock, flockPath, isTemplate, loadGuest, setRunning } from "./guests.js";
import type { ApiRequest, Handler } from "./types.js";
import { num, startTask } from "./types.js";

type Action = "start" | "stop" | "shutdown";

function rootOnly(req: ApiRequest, name: string): void {
  if (Number(req.params[name] ?? 0) === 1 && req.authid !== "root@pam")
    throw paramError({ [name]: "Only root may use this option." });
}

const power =
  (type: GuestType, action: Action): Handler =>
  (req) => {
    const { core, params } = req;
    const vmid = num(params.vmid) ?? 0;
    if (action !== "shutdown" || type === "qemu") rootOnly(req, "skiplock");
    if (type === "qemu" && action !== "start") rootOnly(req, "keepActive");
    const skiplock = Number(params.skiplock ?? 0) === 1;
    const existing = core.state.guest(vmid);
    const running = existing?.type === type && existing.status === "running";
    if (type === "lxc") {
      if (action === "start" && running) throw dieError(`CT ${vmid} already running\n`);
      if (action !== "start" && !running) throw dieError(`CT ${vmid} not running\n`);
    }
    const prefix = type === "lxc" ? "vz" : "qm";
    const timeout = core.options.lockTimeoutMs;
    return startTask(req, {
      type: `${prefix}${action}`,
      id: String(vmid),
      run: async (ctx) => {
        await ctx.withLock(flockPath({ type, vmid }), timeout, async () => {
          const g = loadGuest(core, type, vmid);
          if (action === "start") {
            if (g.status === "running")
              throw dieError(`${type === "lxc" ? "CT" : "VM"} ${vmid} already running\n`);
            if (isTemplate(g))
              throw dieError(
                type === "lxc"
                  ? "you can't start a CT if it's a template\n"
                  : "you can't start a vm if it's a template\n",
              );
          }
          if (!skiplock && !(type === "lxc" && g.config.lock === "mounted")) checkLock(g);
          if (type === "qemu" && action !== "start" && g.status !== "running") return;
          await ctx.step(1);
          setRunning(core, g, action === "start");
        });
      },
    });
  };

export const guestPowerHandlers: Record<string, Handler> = {};
for (const type of ["lxc", "qemu"] as const)
  for (const action of ["start", "stop", "shutdown"] as const)
    guestPowerHandlers[`POST /nodes/{node}/${type}/{vmid}/status/${action}`] = power(type, action);
