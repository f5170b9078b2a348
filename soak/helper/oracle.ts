// The property's oracle: whether a request validates (by the contract's own schemas), which answers the
// contract allows for it, and exactly which argv the pure builders say must have run given that answer.
import { join } from "node:path";
import {
  HelperErrorMessage,
  helperErrorName,
  methods,
  type HelperErrorName,
} from "@felhom/helper-protocol";
import { argv, escapePath, type Argv, type ToolPaths } from "@felhom/root-helper";
import type { Dirs } from "@felhom/root-helper";
import type { RpcAnswer } from "./wire.js";
import type { GeneratedRequest } from "./arbitraries.js";

const defs = new Map<string, (typeof methods)[keyof typeof methods]>(
  Object.values(methods).map((d) => [d.method, d]),
);

export interface Judgement {
  valid: boolean;
  /** Error answers whose message is not their code's fixed contract message (DESIGN section 4). */
  unfixedMessage?: string;
  /** The argv that must have run for this request, given its answer. */
  expected: Argv[];
  problems: string[];
  /** The answer's error name, or "ok". */
  outcome: string;
}

export interface OracleContext {
  tools: ToolPaths;
  dirs: Dirs;
  /** Device names under devDir that are real block devices (hw.smart may answer for these only). */
  blockDevices: readonly string[];
  /** The devices of the lsblk fixture that have a by-id link and may be mounted: filesystem UUID and type. */
  eligible: ReadonlyArray<{ uuid: string; fstype: string }>;
  /** Strings that must never appear in an answer: [tool stderr canary, temp paths…]. */
  forbidden: readonly string[];
}

const RUNS_TOOL: Readonly<Record<string, readonly HelperErrorName[]>> = {
  "hw.sensors": ["TOOL_FAILED", "TOOL_OUTPUT_INVALID", "TIMEOUT", "TOOL_UNAVAILABLE"],
  "hw.smart": ["TOOL_FAILED", "TOOL_OUTPUT_INVALID", "TIMEOUT", "TOOL_UNAVAILABLE"],
  "golden.createContainer": ["TOOL_FAILED", "TIMEOUT", "TOOL_UNAVAILABLE"],
  "usb.mount": ["NOT_FOUND", "DEVICE_NOT_ELIGIBLE", "DEVICE_IN_USE", "TOOL_OUTPUT_INVALID"],
};

export function judge(
  req: GeneratedRequest,
  id: number,
  ans: RpcAnswer,
  ctx: OracleContext,
): Judgement {
  const problems: string[] = [];
  const def = defs.get(req.method);
  const checked = def?.params.safeParse(req.params);
  const valid = checked?.success === true;
  // Error answers carry nothing the helper saw (tool output, paths). Results carry what the contract says:
  // pct's output lines for createContainer, the unit's paths for usb.mount; tool stderr nowhere else.
  const isError = ans.error !== undefined;
  const canaryAllowed = !isError && req.method === "golden.createContainer";
  const forbidden = isError ? ctx.forbidden : canaryAllowed ? [] : ctx.forbidden.slice(0, 1);
  for (const f of forbidden)
    if (ans.raw.includes(f)) problems.push(`answer carries forbidden text ${f.slice(0, 40)}`);
  if (ans.id !== id) problems.push(`answer id ${JSON.stringify(ans.id)} for request ${id}`);
  const hasResult = "result" in ans && ans.result !== undefined;
  const err = ans.error;
  if (hasResult === (err !== undefined))
    problems.push(`answer has ${hasResult ? "both result and error" : "neither result nor error"}`);
  const code = typeof err?.code === "number" ? err.code : undefined;
  const name = code === undefined ? undefined : helperErrorName(code);
  if (err !== undefined && name === undefined)
    problems.push(`error code ${String(err.code)} is not a contract code`);
  const unfixedMessage =
    err !== undefined && name !== undefined && err.message !== HelperErrorMessage[name]
      ? `${name} (${String(code)}) answered with "${String(err.message).slice(0, 120)}" instead of "${HelperErrorMessage[name]}"`
      : undefined;
  const base = unfixedMessage === undefined ? {} : { unfixedMessage };
  if (err !== undefined && err.data !== undefined) problems.push("error carries data");
  const outcome = hasResult ? "ok" : (name ?? `code ${String(code)}`);

  if (!valid || !def || !checked?.success) {
    const want = def ? "INVALID_PARAMS" : "METHOD_NOT_FOUND";
    if (outcome !== want) problems.push(`invalid request answered ${outcome}, expected ${want}`);
    return { valid: false, expected: [], problems, outcome, ...base };
  }
  if (hasResult && !def.result.safeParse(ans.result).success)
    problems.push("result does not match the contract");
  if (
    name === "INVALID_PARAMS" ||
    name === "METHOD_NOT_FOUND" ||
    name === "PARSE_ERROR" ||
    name === "INVALID_REQUEST"
  )
    problems.push(`valid request answered ${name}`);

  const { tools, dirs } = ctx;
  const p = checked.data as Record<string, unknown>;
  const ranTool = hasResult || (name !== undefined && (RUNS_TOOL[req.method] ?? []).includes(name));
  const unitOf = (n: unknown): string => `${escapePath(join(dirs.mountBase, String(n)))}.mount`;
  let expected: Argv[] = [];
  switch (req.method) {
    case "helper.hello":
      if (!hasResult) problems.push(`hello answered ${outcome}`);
      break;
    case "hw.sensors":
      if (ranTool) expected = [argv.sensors(tools)];
      break;
    case "hw.smart": {
      const device = String(p.device);
      if (ranTool) expected = [argv.smartctl(tools, device)];
      if (hasResult && !ctx.blockDevices.includes(device.slice(5)))
        problems.push(`hw.smart answered for ${device}, which is not a block device node`);
      break;
    }
    case "golden.createContainer":
      if (ranTool) expected = [argv.pctCreate(tools, p as never)];
      break;
    case "usb.mount":
      if (hasResult) {
        expected = [
          argv.lsblk(tools),
          argv.daemonReload(tools),
          argv.systemctlNow(tools, "enable", unitOf(p.name)),
        ];
        if (!ctx.eligible.some((e) => e.uuid === p.uuid && e.fstype === p.fstype))
          problems.push(
            `usb.mount succeeded for ${String(p.uuid)} ${String(p.fstype)}, which is not an eligible USB device`,
          );
        if ((ans.result as { unit?: unknown }).unit !== unitOf(p.name))
          problems.push("usb.mount answered another unit name");
      } else if (ranTool) expected = [argv.lsblk(tools)];
      break;
    case "usb.unmount":
      if (hasResult)
        expected = [argv.systemctlNow(tools, "disable", unitOf(p.name)), argv.daemonReload(tools)];
      break;
  }
  return { valid: true, expected, problems, outcome, ...base };
}

/** Multiset difference of argv lists, both ways. */
export function diffRuns(
  expected: readonly Argv[],
  actual: readonly (readonly string[])[],
): string[] {
  const count = new Map<string, number>();
  for (const a of expected) count.set(JSON.stringify(a), (count.get(JSON.stringify(a)) ?? 0) + 1);
  const extra: string[] = [];
  for (const a of actual) {
    const k = JSON.stringify(a);
    const n = count.get(k) ?? 0;
    if (n === 0) extra.push(k);
    else count.set(k, n - 1);
  }
  const missing = [...count].filter(([, n]) => n > 0).map(([k]) => k);
  return [
    ...extra.map((k) => `ran without a matching valid request: ${k}`),
    ...missing.map((k) => `expected but did not run: ${k}`),
  ];
}
