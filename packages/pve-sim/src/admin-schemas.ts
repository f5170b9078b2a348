// zod shapes of the admin endpoint's JSON bodies: fault rules, guests, tokens and task durations.
import { z } from "zod";
import { SimError } from "./errors.js";
import type { AddGuestSpec } from "./state/state.js";
import type { AddTokenSpec, FaultRule } from "./types.js";

/** Validates an admin body; a body that does not fit is the caller's mistake (SIM_INVALID_OPTION, answered 400). */
function checked<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new SimError("SIM_INVALID_OPTION", r.error.message, { cause: r.error });
  return r.data;
}

/** A fault's pathRegex; a pattern JavaScript cannot compile is the caller's mistake too. */
function regex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new SimError("SIM_INVALID_OPTION", `pathRegex: ${String(err)}`, { cause: err });
  }
}

const kind = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("latency"), ms: z.number().min(0).max(600_000) }),
  z.strictObject({ type: z.literal("reset-before-read") }),
  z.strictObject({ type: z.literal("reset-after-read") }),
  z.strictObject({
    type: z.literal("status"),
    status: z.number().int().min(100).max(999),
    statusText: z.string().max(500).optional(),
    bodyless: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal("data-null") }),
  z.strictObject({
    type: z.literal("task-outcome"),
    outcome: z.enum(["error", "warnings"]),
    message: z.string().max(4000).optional(),
    warnings: z.number().int().min(1).max(10_000).optional(),
  }),
]);

const faultJson = z.strictObject({
  method: z.union([z.string(), z.array(z.string())]).optional(),
  /** Exact path after /api2/json. */
  path: z.string().optional(),
  /** A JavaScript regular expression matched against that path. */
  pathRegex: z.string().optional(),
  times: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
  kind,
});

/** The JSON form of a fault rule ({ path } or { pathRegex }) as a FaultRule. */
export function parseFaultJson(body: unknown): FaultRule {
  const j = checked(faultJson, body);
  const k = j.kind;
  let ruleKind: FaultRule["kind"];
  switch (k.type) {
    case "status":
      ruleKind = { type: "status", status: k.status };
      if (k.statusText !== undefined) ruleKind.statusText = k.statusText;
      if (k.bodyless !== undefined) ruleKind.bodyless = k.bodyless;
      break;
    case "task-outcome":
      ruleKind = { type: "task-outcome", outcome: k.outcome };
      if (k.message !== undefined) ruleKind.message = k.message;
      if (k.warnings !== undefined) ruleKind.warnings = k.warnings;
      break;
    case "latency":
    case "reset-before-read":
    case "reset-after-read":
    case "data-null":
      ruleKind = k;
  }
  const rule: FaultRule = { kind: ruleKind };
  if (j.method !== undefined) rule.method = j.method;
  if (j.pathRegex !== undefined) rule.path = regex(j.pathRegex);
  else if (j.path !== undefined) rule.path = j.path;
  if (j.times !== undefined) rule.times = j.times;
  if (j.probability !== undefined) rule.probability = j.probability;
  return rule;
}

const guestJson = z.strictObject({
  vmid: z.number().int().min(100).max(999_999_999),
  type: z.enum(["lxc", "qemu"]),
  status: z.enum(["running", "stopped"]).optional(),
  config: z.record(z.string(), z.union([z.string(), z.number()])),
});

export function parseGuestJson(body: unknown): AddGuestSpec {
  const j = checked(guestJson, body);
  const spec: AddGuestSpec = { vmid: j.vmid, type: j.type, config: j.config };
  if (j.status) spec.status = j.status;
  return spec;
}

const acl = z.array(
  z.strictObject({
    path: z.string(),
    privs: z.array(z.string()),
    propagate: z.boolean().optional(),
  }),
);

const tokenJson = z.strictObject({
  id: z.string(),
  privsep: z.boolean().optional(),
  acl: acl.optional(),
  userAcl: acl.optional(),
  secret: z.string().min(8).optional(),
});

export function parseTokenJson(body: unknown): AddTokenSpec {
  const j = checked(tokenJson, body);
  const clean = (a: z.infer<typeof acl>) =>
    a.map((e) =>
      e.propagate === undefined
        ? { path: e.path, privs: e.privs }
        : { path: e.path, privs: e.privs, propagate: e.propagate },
    );
  const spec: AddTokenSpec = { id: j.id };
  if (j.privsep !== undefined) spec.privsep = j.privsep;
  if (j.acl) spec.acl = clean(j.acl);
  if (j.userAcl) spec.userAcl = clean(j.userAcl);
  if (j.secret) spec.secret = j.secret;
  return spec;
}

const durationsJson = z.record(z.string(), z.number().int().min(0).max(86_400_000));

/** The JSON body of POST /_sim/durations: task type → milliseconds. */
export function parseDurationsJson(body: unknown): Record<string, number> {
  return checked(durationsJson, body);
}
