// Public surface of @felhom/pve-client: the Client, its value types (ApiToken, Upid), task waiting, the
// error taxonomy, the access table and the normalised result types.
export { Client, type ClientOptions } from "./client.js";
export { API_TOKEN_ID, ApiToken, Secret, toApiToken, type TokenInput } from "./token.js";
export { Upid, parseUpid, isUpidString } from "./upid.js";
export { normalizeFingerprint, type TlsOptions } from "./tls.js";
export type { CallOptions, RetryOptions } from "./http.js";
export { RETRY_STATUSES } from "./http.js";
export { silentLogger, type Logger } from "./logger.js";
export {
  waitTask,
  taskFailure,
  type TaskOutcome,
  type WaitOptions,
  type TaskReader,
  type WaitClock,
} from "./tasks.js";
export {
  nextPollDelay,
  EXPECTED_WINDOW,
  MAX_QUIET_MS,
  SAFETY_POLL_FROM_MS,
  SHORT_TASK_PHASE,
  type PollSchedule,
} from "./poll-schedule.js";
export {
  estimateFromTaskList,
  earlierRunsQuery,
  MAX_SAMPLES,
  MIN_SAMPLES,
  type TaskListEstimate,
} from "./task-estimate.js";
export {
  OPERATION_PRIVILEGES,
  requiredPrivileges,
  hasPrivilege,
  evaluateAccess,
  type AccessReport,
  type AccessScope,
  type OperationName,
  type OperationReport,
  type OperationAccess,
  type PrivilegeRequirement,
} from "./access.js";
export {
  API_OPERATIONS,
  ROUTED_API_OPERATIONS,
  ops,
  type ApiOperationName,
  type ApiOperations,
  type RoutedApiOperation,
} from "./api/operations.js";
export type { ApiOperationDef, ApiRoute } from "./api/define.js";
export type {
  BackupOptions,
  RestoreOptions,
  SnapshotOptions,
  TaskListFilters,
  Timeframe,
} from "./api/options.js";
export type { PveRequest, HttpMethod, WireParams } from "./request.js";
export { LXC_NET_CHANGE_KEYS } from "./config-changes.js";
export type {
  LxcConfigChanges,
  QemuConfigChanges,
  LxcNetChange,
  QemuNetChange,
  QemuNetModel,
  MountPointChange,
} from "./config-changes.js";
export {
  PveError,
  PveHttpError,
  PveAuthError,
  PvePermissionError,
  PveLockError,
  PveResponseShapeError,
  PveTaskFailedError,
  PveTaskWarningsError,
  PveTaskTimeoutError,
  PveTaskCancelledError,
  PveTransportError,
  PveTlsPinMismatchError,
  PveRequestTimeoutError,
  PveAbortedError,
  PveArgumentError,
  PSEUDO_STATUS,
  PVE_ERROR_CODES,
  type PveErrorCode,
  type HttpContext,
  type TaskContext,
  type ShapeIssue,
  type TaskFailureKind,
} from "./errors.js";
export {
  hasPveCode,
  isPveError,
  isTaskFailure,
  type AnyPveError,
  type PveErrorWithCode,
  type TaskRaisedError,
} from "./error-guards.js";
export { parsePropertyString, formatPropertyString } from "./schemas/property-string.js";
export { parseLxcNet } from "./schemas/config-parts.js";
export type { ClusterResource, ResourceType } from "./schemas/resources.js";
export type {
  GuestKind,
  GuestRunState,
  GuestListItem,
  GuestStatus,
  LxcListItem,
  QemuListItem,
  LxcStatus,
  QemuStatus,
} from "./schemas/guests.js";
export type { LxcConfig, QemuConfig } from "./schemas/guest-config.js";
export type {
  LxcNet,
  LxcMountPoint,
  LxcRootfs,
  LxcFeatures,
  QemuNet,
  QemuDisk,
  UnusedVolume,
} from "./schemas/config-parts.js";
export type { NodeStatus, PveVersion, RrdSample, Permissions } from "./schemas/node.js";
export type { StorageInfo, StorageVolume } from "./schemas/storage.js";
export type { Snapshot } from "./schemas/snapshots.js";
export type { TaskStatus, TaskListItem, TaskLogLine } from "./schemas/tasks.js";
