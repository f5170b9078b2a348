// Every API operation, declared once: its one name, the request it sends (method, path, parameters), how its
// answer is validated, the privileges it needs and its place in the agent's routing table. The Client, the
// agent's facade and routing table, the privilege table and the contract test all derive from this table, which
// is assembled here from one file per concept (ops-*.ts).
import type { ApiOperationDef, ApiRoute } from "./define.js";
import { CHANGE_OPERATIONS } from "./ops-changes.js";
import { CONFIG_OPERATIONS } from "./ops-config.js";
import { PLUMBING_OPERATIONS } from "./ops-plumbing.js";
import { POWER_OPERATIONS } from "./ops-power.js";
import { READ_OPERATIONS } from "./ops-reads.js";
import { TASK_OPERATIONS } from "./ops-tasks.js";

export const API_OPERATIONS = {
  ...PLUMBING_OPERATIONS,
  ...READ_OPERATIONS,
  ...TASK_OPERATIONS,
  ...CHANGE_OPERATIONS,
  ...CONFIG_OPERATIONS,
  ...POWER_OPERATIONS,
} as const;

export type ApiOperations = typeof API_OPERATIONS;
export type ApiOperationName = keyof ApiOperations;
/** The operations of the agent's routing table (those with a route). */
export type RoutedApiOperation = {
  [K in ApiOperationName]: ApiOperations[K] extends { route: ApiRoute } ? K : never;
}[ApiOperationName];

export const ROUTED_API_OPERATIONS = (Object.keys(API_OPERATIONS) as ApiOperationName[]).filter(
  (op) => "route" in API_OPERATIONS[op],
) as RoutedApiOperation[];

type WithRequest = {
  [K in ApiOperationName]: ApiOperations[K] extends { request: unknown } ? K : never;
}[ApiOperationName];

/**
 * The request builders alone, by operation name: pure functions from typed arguments to a PveRequest (the
 * contract test checks each against PVE's published schema).
 */
export const ops = Object.freeze(
  Object.fromEntries(
    (Object.keys(API_OPERATIONS) as ApiOperationName[])
      .map((op): [string, ApiOperationDef] => [op, API_OPERATIONS[op]])
      .filter(([, d]) => d.request !== undefined)
      .map(([op, d]) => [op, d.request]),
  ),
) as { readonly [K in WithRequest]: ApiOperations[K] extends { request: infer F } ? F : never };
