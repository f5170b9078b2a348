// The root helper's library entry in its own process, for the bench. Plain JavaScript, so it runs with the
// node flags of deploy/felhom-root-helper.service (--jitless …) and no loader, and its RSS is the
// helper's own. Reads its config (fake tool paths, temp dirs, socket path) from the JSON file named by argv[2],
// prints "ready <socket>", writes its audit lines to stderr as in production, and serves until SIGTERM.
import { readFileSync } from "node:fs";
import { startHelper } from "@felhom/root-helper";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const helper = await startHelper(config);
process.stdout.write(`ready ${helper.address}\n`);
process.once("SIGTERM", () => void helper.close().then(() => process.exit(0)));
