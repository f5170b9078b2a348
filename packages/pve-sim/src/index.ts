// Public surface of @felhom/pve-sim: a faithful Proxmox VE API simulator over HTTPS on loopback.
export { startSim } from "./sim.js";
export {
  createManualClock,
  realClock,
  type ManualClock,
  type SimClock,
  type TimerHandle,
} from "./clock.js";
export { SimError, PveApiError, type SimErrorCode } from "./errors.js";
export { loadSchema, findOperation } from "./schema-data.js";
export type { ExtractedSchema, OperationSchema, JsonSchema } from "./schema/types.js";
export type { AclEntry } from "./auth/access.js";
export type { SimState, AddGuestSpec } from "./state/state.js";
export type {
  GuestRecord,
  GuestConfig,
  StorageRecord,
  VolumeRecord,
  BackupManifest,
  SnapshotRecord,
} from "./state/model.js";
export type { TaskRecord } from "./tasks/manager.js";
export { encodeUpid, decodeUpid, type UpidFields } from "./tasks/upid.js";
export type {
  Sim,
  SimOptions,
  SimFaults,
  FaultRule,
  FaultKind,
  FaultHandle,
  RecordedRequest,
  AddTokenSpec,
  IssuedTokenInfo,
} from "./types.js";
