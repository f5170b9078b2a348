// Bad input at the agent's edges and the secret scan of the running daemon (npm test versions, against the
// compiled CLI and daemon that `npm test` builds first). Full versions: npm run soak.
import { test } from "node:test";
import { runBadInput } from "../soak/edges/bad-input.js";
import { runDaemonSoak } from "../soak/edges/daemon-soak.js";
import { assertSuite } from "../soak/lib/assert-suite.js";

test("reliability – bad config, environment, arguments and token files: exit 2, one line naming the field", async (t) => {
  await assertSuite(t, await runBadInput({ profile: "test" }));
});

test("reliability – the daemon at trace level under faults never writes the token secret anywhere", async (t) => {
  await assertSuite(t, await runDaemonSoak({ profile: "test" }));
});
