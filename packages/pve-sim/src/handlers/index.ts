// Every endpoint handler of the simulator, keyed "METHOD /path/template" as in the schema.
import { clusterHandlers } from "./cluster.js";
import { guestConfigHandlers } from "./guest-config.js";
import { guestPowerHandlers } from "./guest-power.js";
import { guestReadHandlers } from "./guest-read.js";
import { lxcCreateHandlers } from "./lxc-create.js";
import { nodeHandlers } from "./node.js";
import { snapshotHandlers } from "./snapshots.js";
import { storageHandlers } from "./storage.js";
import { taskHandlers } from "./tasks.js";
import type { Handler } from "./types.js";
import { vzdumpHandlers } from "./vzdump.js";

export const HANDLERS: Readonly<Record<string, Handler>> = {
  ...clusterHandlers,
  ...nodeHandlers,
  ...storageHandlers,
  ...taskHandlers,
  ...guestReadHandlers,
  ...guestPowerHandlers,
  ...guestConfigHandlers,
  ...snapshotHandlers,
  ...lxcCreateHandlers,
  ...vzdumpHandlers,
};
