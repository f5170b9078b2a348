// Helpers for tests against the PVE simulator over real HTTPS on loopback.
import { startSim, type Sim, type SimOptions } from "@felhom/pve-sim";
import { Client, type ClientOptions } from "@felhom/pve-client";

export interface SimClient {
  sim: Sim;
  client: Client;
  close(): Promise<void>;
}

/** A simulator and a client pinned to its certificate. */
export async function simWithClient(
  simOptions: SimOptions = {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<SimClient> {
  const sim = await startSim({ quiet: true, validateResponses: true, ...simOptions });
  const client = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { fingerprint256: sim.fingerprint256 },
    retry: { attempts: 3, baseMs: 5, maxMs: 20 },
    ...clientOptions,
  });
  return {
    sim,
    client,
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}

/**
 * Checks that no mutating request reached the simulator twice: the client's trace log shows every attempt
 * it wrote, and the simulator records every request it received. Each mutating call must have exactly one
 * attempt, and the simulator must have seen exactly as many mutating requests as the client sent.
 */
export function assertMutationsSentOnce(sim: Sim, traceLines: readonly string[]): void {
  const attempts = traceLines
    .map((l) => JSON.parse(l) as { msg?: string; method?: string; attempt?: number; path?: string })
    .filter((l) => l.msg === "pve request" && l.method !== "GET");
  const resent = attempts.filter((l) => l.attempt !== 1);
  if (resent.length > 0) throw new Error(`mutating requests sent again: ${JSON.stringify(resent)}`);
  const received = sim.requests.filter((r) => r.mutating).length;
  if (received !== attempts.length) {
    throw new Error(
      `the simulator received ${received} mutating requests for ${attempts.length} calls`,
    );
  }
}
