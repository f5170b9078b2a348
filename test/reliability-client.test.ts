// Short versions of the client soak (npm test): the agent's routing facade and pve-client against the
// simulator with injected faults, and lock contention on one guest. Full versions: npm run soak.
import { test } from "node:test";
import { runClientSoak } from "../soak/client/suite.js";
import { runLockContention } from "../soak/client/lock-contention.js";
import { assertSuite } from "../soak/lib/assert-suite.js";

test("reliability – 500 mixed operations, 8 at a time, against the simulator with 10–20 % faulted requests", async (t) => {
  await assertSuite(t, await runClientSoak({ profile: "test" }));
});

test("reliability – parallel mutating calls on one guest end in success or a typed lock error, never a hang", async (t) => {
  await assertSuite(t, await runLockContention({ profile: "test" }));
});
