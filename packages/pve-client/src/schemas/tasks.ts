// Task list, status and log records (PVE/API2/Tasks.pm). Status carries `tokenid` for token-started tasks
// although the declared schema omits it.
import { listOf, record, t, type Infer } from "./record.js";

const base = {
  upid: t.string,
  node: t.string,
  pid: t.number,
  pstart: t.number,
  starttime: t.number,
  type: t.string,
  id: t.string,
  user: t.string,
  tokenid: t.opt.string,
};

const statusSpec = {
  ...base,
  status: t.oneOf<"running" | "stopped">(["running", "stopped"]),
  exitstatus: t.opt.string,
};
export type TaskStatus = Infer<typeof statusSpec>;
export const parseTaskStatus = record(statusSpec);

const listSpec = { ...base, status: t.opt.string, endtime: t.opt.number };
/** A task list row. `status` is the exitstatus of finished tasks, `RUNNING` for active ones. */
export type TaskListItem = Infer<typeof listSpec>;
export const parseTaskList = listOf(record(listSpec));

const lineSpec = { n: t.number, t: t.string };
export type TaskLogLine = Infer<typeof lineSpec>;
export const parseTaskLogLines = listOf(record(lineSpec));
