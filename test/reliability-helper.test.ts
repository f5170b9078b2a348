// Short versions of the root helper under attack (npm test): 5,000 property-based JSON-RPC requests, the
// framing fuzz, and 1,000 simultaneous connections with slow partial frames. Full versions: npm run soak.
import { test } from "node:test";
import { runFlood } from "../soak/helper/flood.js";
import { runFramingFuzz } from "../soak/helper/framing-fuzz.js";
import { runHelperProperties } from "../soak/helper/properties.js";
import { assertSuite } from "../soak/lib/assert-suite.js";

test("reliability – 5,000 generated requests: tools run only for valid ones, exactly with the builders' argv", async (t) => {
  await assertSuite(t, await runHelperProperties({ profile: "test" }));
});

test("reliability – framing fuzz: malformed frames close the connection, the helper stays up and bounded", async (t) => {
  await assertSuite(t, await runFramingFuzz({ profile: "test" }));
});

test("reliability – 1,000 simultaneous connections and slow frames: limits hold, a good client is served", async (t) => {
  await assertSuite(t, await runFlood({ profile: "test" }));
});
