// Snapshot lists (GET …/snapshot). The entry named `current` stands for the running state, not a snapshot.
import { listOf, record, t, type Infer } from "./record.js";

const spec = {
  name: t.string,
  description: t.opt.string,
  parent: t.opt.string,
  snaptime: t.opt.number,
  vmstate: t.opt.boolean,
  running: t.opt.boolean,
};
export type Snapshot = Infer<typeof spec>;
export const parseSnapshots = listOf(record(spec));
