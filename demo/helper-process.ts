// The demo's root helper: the compiled library entry of packages/root-helper, started in sandbox mode (a temp
// socket, fake tool binaries, temp unit and mount directories) in its own process, as production runs it.
import { readFileSync } from "node:fs";
import { startHelper } from "@felhom/root-helper";
import type { HelperConfig } from "@felhom/root-helper";

const configFile = process.argv[2];
if (configFile === undefined) {
  process.stderr.write("usage: helper-process.js CONFIG.json\n");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, "utf8")) as HelperConfig;
const helper = await startHelper(config);
process.stdout.write(`ready ${helper.address}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void helper.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The demo closes our stdin when it goes away: never outlive it.
process.stdin.on("end", stop);
process.stdin.resume();
