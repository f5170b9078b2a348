// The scenarios in the order the bench runs them.
import type { Scenario } from "../lib/scenario.js";
import { largeResponse } from "./large-response.js";
import { readThroughput } from "./read-throughput.js";
import { taskWait } from "./task-wait.js";
import { helperRoundTrip } from "./helper-round-trip.js";
import { footprint } from "./footprint.js";

export const SCENARIOS: ReadonlyArray<Scenario> = [
  readThroughput,
  largeResponse,
  taskWait,
  helperRoundTrip,
  footprint,
];
