// hw.smart: the device must be a real block device (not a link) of the contract's forms; smartctl's exit-status
// bitmask is decoded and its JSON mapped to the contract's result, which is validated before it is returned.
import { lstat } from "node:fs/promises";
import { HelperFailure, methods, type Handler, type ResultOf } from "@felhom/helper-protocol";
import { smartctl } from "./argv.js";
import type { Dirs, Limits, ToolPaths } from "./config.js";
import { defined, isRecord, parseJson, printable, runnerFor } from "./exec.js";

/** smartctl(8) EXIT STATUS bits 0-7: 0-2 mean no usable data, 3-7 data with health warnings. */
export const SMART_EXIT_BITS = [
  ...["command-line-error", "device-open-failed", "smart-command-failed", "disk-failing"],
  ...["prefail-below-threshold", "below-threshold-in-past", "error-log", "self-test-errors"],
] as const;

const at = (v: unknown, key: string): unknown => (isRecord(v) ? v[key] : undefined);
const text = (v: unknown, max: number) => (typeof v === "string" ? printable(v, max) : undefined);

/** The contract result from smartctl's exit code and JSON; fields absent from the JSON stay absent. */
export function smartResult(device: string, exitCode: number, stdout: string): ResultOf<"smart"> {
  // Bit 0: smartctl refused the command line or could not tell the device type; there is nothing to report.
  if ((exitCode & 1) === 1) throw new HelperFailure("TOOL_FAILED");
  const r = parseJson(stdout);
  const passed = at(at(r, "smart_status"), "passed");
  const table = at(at(r, "ata_smart_attributes"), "table");
  const nvme = at(r, "nvme_smart_health_information_log");
  const result = methods.smart.result.safeParse(
    defined({
      device,
      health: passed === true ? "PASSED" : passed === false ? "FAILED" : "UNKNOWN",
      exitStatus: exitCode,
      warnings: SMART_EXIT_BITS.filter((_, bit) => (exitCode & (1 << bit)) !== 0),
      model: text(at(r, "model_name"), 128),
      serial: text(at(r, "serial_number"), 128),
      temperatureC: at(at(r, "temperature"), "current"),
      powerOnHours: at(at(r, "power_on_time"), "hours"),
      ataAttributes: Array.isArray(table)
        ? table.map((a) => ({
            ...{ id: at(a, "id"), name: text(at(a, "name"), 64), value: at(a, "value") },
            ...{
              worst: at(a, "worst"),
              threshold: at(a, "thresh"),
              raw: at(at(a, "raw"), "value"),
            },
            failing: ["now", "past"].includes(String(at(a, "when_failed"))),
          }))
        : undefined,
      nvmeHealth: isRecord(nvme)
        ? {
            ...{ criticalWarning: nvme.critical_warning, temperatureC: nvme.temperature },
            ...{ availableSpare: nvme.available_spare, percentageUsed: nvme.percentage_used },
            ...{ powerOnHours: nvme.power_on_hours, unsafeShutdowns: nvme.unsafe_shutdowns },
            mediaErrors: nvme.media_errors,
          }
        : undefined,
    }),
  );
  if (!result.success) throw new HelperFailure("TOOL_OUTPUT_INVALID");
  return result.data;
}

export function smartHandler(tools: ToolPaths, dirs: Dirs, limits: Limits): Handler<"smart"> {
  return async (p, ctx) => {
    // The contract allows only /dev/sdX and /dev/nvmeNnM; lstat does not follow a link planted under that name.
    const stat = await lstat(dirs.devDir + p.device.slice("/dev".length)).catch(() => undefined);
    if (stat === undefined) throw new HelperFailure("NOT_FOUND");
    if (!stat.isBlockDevice()) throw new HelperFailure("DEVICE_NOT_ELIGIBLE");
    const out = await runnerFor(ctx, limits)(smartctl(tools, p.device));
    return smartResult(p.device, out.exitCode, out.stdout);
  };
}
