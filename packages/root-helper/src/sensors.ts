// hw.sensors: `sensors -j`, read defensively (it prints JSON with printf, so an odd label makes it invalid, and
// with no sensors it prints `{}` and exits 1), normalised to the contract's readings.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HelperFailure, SensorReading, type Handler } from "@felhom/helper-protocol";
import { sensors } from "./argv.js";
import type { Limits, ToolPaths } from "./config.js";
import { defined, isRecord, parseJson, printable, runnerFor } from "./exec.js";

/** lm-sensors subfeature prefixes: what each measures, and in which unit. */
const KIND = { temp: "temp", fan: "fan", in: "voltage", power: "power", curr: "current" } as const;
const UNIT = { temp: "°C", fan: "RPM", in: "V", power: "W", curr: "A" } as const;
const SUBFEATURE = /^(temp|fan|in|power|curr)[0-9]{1,3}_(input|average|min|max|crit)$/;

/** A feature's reading: its input (or average) value, with the limits sensors gave; none without a value. */
function reading(chip: string, label: string, subs: Record<string, unknown>): SensorReading[] {
  let prefix: keyof typeof KIND | undefined;
  const v: Partial<Record<string, number>> = {};
  for (const [key, value] of Object.entries(subs)) {
    const m = SUBFEATURE.exec(key);
    if (!m?.[2] || typeof value !== "number" || !Number.isFinite(value)) continue;
    prefix ??= m[1] as keyof typeof KIND;
    v[m[2]] = value;
  }
  if (prefix === undefined) return [];
  const names = { chip: printable(chip, 128), label: printable(label, 128) };
  const measure = { kind: KIND[prefix], unit: UNIT[prefix], value: v.input ?? v.average };
  const limits = { min: v.min, max: v.max, crit: v.crit };
  const r = SensorReading.safeParse(defined({ ...names, ...measure, ...limits }));
  return r.success ? [r.data] : [];
}

/** The readings from sensors' exit code and stdout: `{}` with exit 1 is "no sensors", not an error. */
export function parseSensors(exitCode: number, stdout: string): SensorReading[] {
  if (exitCode === 1 && /^\s*\{\s*\}\s*$/.test(stdout)) return [];
  if (exitCode !== 0) throw new HelperFailure("TOOL_FAILED");
  const doc = parseJson(stdout);
  if (!isRecord(doc)) throw new HelperFailure("TOOL_OUTPUT_INVALID");
  const readings: SensorReading[] = [];
  for (const [chip, features] of Object.entries(doc))
    for (const [label, subs] of isRecord(features) ? Object.entries(features) : [])
      if (isRecord(subs)) readings.push(...reading(chip, label, subs)); // skips "Adapter": "…"
  return readings.slice(0, 1024);
}

/** No hwmon class in sysfs (a host in a VM, a container) means no sensors: Debian 13's libsensors then fails
 * with "Kernel interface error" instead of printing `{}`, so sensors is not run at all. */
export function sensorsHandler(
  tools: ToolPaths,
  sysDir: string,
  limits: Limits,
): Handler<"sensors"> {
  return async (_params, ctx) => {
    if (!existsSync(join(sysDir, "class", "hwmon"))) return { readings: [] };
    const out = await runnerFor(ctx, limits)(sensors(tools));
    return { readings: parseSensors(out.exitCode, out.stdout) };
  };
}
