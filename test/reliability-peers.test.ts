// The production root helper with real sockets and real uid drops (root only, as CI runs): wrong socket modes
// and groups stop it, and only the agent user is served.
import { test } from "node:test";
import { runPeerChecks } from "../soak/helper/peer.js";
import { assertSuite } from "../soak/lib/assert-suite.js";

test("reliability – a peer outside the agent's group and a socket with a wrong mode are refused", async (t) => {
  await assertSuite(t, await runPeerChecks({ profile: "test" }));
});
