// The task operations: list, status, log, and the wait that polls them.
import { VMID } from "@felhom/grammar";
import { buildRequest, validateNode } from "../request.js";
import { parseTaskList, parseTaskLogLines, parseTaskStatus } from "../schemas/tasks.js";
import type { Upid } from "../upid.js";
import { defineOperation, parsed } from "./define.js";
import type { TaskListFilters } from "./options.js";
import { ROW } from "./design-rows.js";

/** Tasks: the node's task list, one task's status and log, and the wait. */
export const TASK_OPERATIONS = {
  taskList: defineOperation({
    label: "task list (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "tasks" },
    args: { vmid: VMID },
    request: (node: string, f: TaskListFilters = {}) =>
      buildRequest(
        "GET",
        "/nodes/{node}/tasks",
        { node: validateNode(node) },
        { ...f, statusfilter: f.statusfilter?.join(",") },
      ),
    result: parsed(parseTaskList),
  }),
  taskStatus: defineOperation({
    label: "task status (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
    request: (upid: Upid) =>
      buildRequest("GET", "/nodes/{node}/tasks/{upid}/status", { node: upid.node, upid }),
    result: parsed(parseTaskStatus),
  }),
  taskLog: defineOperation({
    label: "task log (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
    request: (upid: Upid, start: number, limit: number) =>
      buildRequest(
        "GET",
        "/nodes/{node}/tasks/{upid}/log",
        { node: upid.node, upid },
        { start, limit },
      ),
    result: parsed(parseTaskLogLines),
  }),
  /** Polls taskStatus (and taskLog when asked) until the task stopped: no request of its own. */
  waitTask: defineOperation({
    label: "wait for a task (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
  }),
} as const;
