// Fault injection: rules matched per request (method, path, times, probability) that add latency, reset the
// connection, answer an error status or `data: null`, or force the outcome of the task a request starts.
import { SimError } from "./errors.js";
import type { Prng } from "./prng.js";
import type { FaultHandle, FaultKind, FaultRule, SimFaults } from "./types.js";

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  hits: number;
  removed: boolean;
}

export interface FaultDecision {
  latencyMs: number;
  /** The first matching non-latency, non-task fault. */
  action?: Exclude<FaultKind, { type: "latency" } | { type: "task-outcome" }>;
}

const KINDS = new Set([
  "latency",
  "reset-before-read",
  "reset-after-read",
  "status",
  "data-null",
  "task-outcome",
]);

function validate(rule: FaultRule): void {
  const k = rule.kind as { type?: string } | undefined;
  if (!k || !KINDS.has(k.type ?? ""))
    throw new SimError("SIM_INVALID_OPTION", `unknown fault kind '${k?.type}'`);
  if (rule.kind.type === "status" && !(rule.kind.status >= 100 && rule.kind.status <= 999))
    throw new SimError("SIM_INVALID_OPTION", "status fault needs a status between 100 and 999");
  if (rule.kind.type === "latency" && !(rule.kind.ms >= 0))
    throw new SimError("SIM_INVALID_OPTION", "latency fault needs ms >= 0");
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1))
    throw new SimError("SIM_INVALID_OPTION", "probability must be within 0..1");
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0))
    throw new SimError("SIM_INVALID_OPTION", "times must be a positive integer");
}

export class FaultRegistry implements SimFaults {
  private rules: ActiveRule[] = [];

  private readonly prng: Prng;

  constructor(prng: Prng) {
    this.prng = prng;
  }

  add(rule: FaultRule): FaultHandle {
    validate(rule);
    const active: ActiveRule = { rule, remaining: rule.times ?? Infinity, hits: 0, removed: false };
    this.rules.push(active);
    return {
      remove: () => {
        active.removed = true;
        this.rules = this.rules.filter((r) => r !== active);
      },
      get hits() {
        return active.hits;
      },
    };
  }

  clear(): void {
    for (const r of this.rules) r.removed = true;
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  private matches(r: ActiveRule, method: string, path: string): boolean {
    const { rule } = r;
    if (r.removed || r.remaining <= 0) return false;
    if (rule.method !== undefined) {
      const methods = (Array.isArray(rule.method) ? rule.method : [rule.method]).map((m) =>
        m.toUpperCase(),
      );
      if (!methods.includes(method)) return false;
    }
    if (rule.path !== undefined) {
      if (typeof rule.path === "string" ? rule.path !== path : !rule.path.test(path)) return false;
    }
    return rule.probability === undefined || this.prng.next() < rule.probability;
  }

  private consume(r: ActiveRule): void {
    r.hits++;
    r.remaining--;
    if (r.remaining <= 0) this.rules = this.rules.filter((x) => x !== r);
  }

  /** Decides the request-level faults for one request (task outcomes are decided when a task starts). */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    if (this.rules.length === 0) return decision;
    for (const r of [...this.rules]) {
      const kind = r.rule.kind;
      if (kind.type === "task-outcome") continue;
      if (kind.type !== "latency" && decision.action) continue;
      if (!this.matches(r, method, path)) continue;
      this.consume(r);
      if (kind.type === "latency") decision.latencyMs += kind.ms;
      else decision.action = kind;
    }
    return decision;
  }

  /** The outcome for a task that a request (method, path) starts, if a task-outcome rule matches. */
  taskOutcome(
    method: string,
    path: string,
  ): Extract<FaultKind, { type: "task-outcome" }> | undefined {
    for (const r of [...this.rules]) {
      if (r.rule.kind.type !== "task-outcome" || !this.matches(r, method, path)) continue;
      this.consume(r);
      return r.rule.kind;
    }
    return undefined;
  }
}
