// The changes that start a task on stored data: restore, backup, snapshot, rollback, delete snapshot.
import { PveArgumentError } from "../errors.js";
import { HOSTNAME, SNAPSHOT_NAME, STORAGE_ID, VMID, VOLUME_ID } from "@felhom/grammar";
import {
  buildRequest,
  checkText,
  validateSnapname,
  validateStorage,
  validateVolumeId,
} from "../request.js";
import type { GuestKind } from "../schemas/guests.js";
import { bridge, defineOperation, storage, taskStarted, vm } from "./define.js";
import type { BackupOptions, RestoreOptions, SnapshotOptions } from "./options.js";
import { ROW } from "./design-rows.js";
import { guestPath, guest } from "./guest-request.js";

/** Changes: each starts a task (its UPID is the answer). */
export const CHANGE_OPERATIONS = {
  restore: defineOperation({
    label: "restore LXC from archive",
    mutating: true,
    // VM.Allocate to create the guest, VM.Config.Options for the new hostname, space on the target storage
    // SDN.Use on the bridges of the archive's NICs: checked inside the restore task, after the POST's 200
    privileges: [
      vm("VM.Allocate"),
      vm("VM.Config.Options"),
      storage("Datastore.AllocateSpace"),
      bridge("SDN.Use"),
    ],
    route: { row: ROW.restore, cli: "restore" },
    args: { vmid: VMID, archive: VOLUME_ID, storage: STORAGE_ID, hostname: HOSTNAME },
    request: (node: string, o: RestoreOptions) => {
      const g = guest(node, o.vmid);
      return buildRequest(
        "POST",
        "/nodes/{node}/lxc",
        { node: g.node },
        {
          vmid: g.vmid,
          ostemplate: validateVolumeId("archive", o.archive),
          restore: true,
          storage: validateStorage(o.storage),
          unique: o.newIdentity ? true : undefined,
          hostname: o.newIdentity && checkText("hostname", HOSTNAME, o.newIdentity.hostname),
          unprivileged: o.unprivileged,
          pool: o.pool,
          bwlimit: o.bwlimit,
          "ignore-unpack-errors": o.ignoreUnpackErrors,
        },
        g,
      );
    },
    result: taskStarted,
  }),
  backup: defineOperation({
    label: "vzdump backup",
    mutating: true,
    privileges: [vm("VM.Backup"), storage("Datastore.AllocateSpace")],
    route: { row: ROW.backup, cli: "backup" },
    args: { vmid: VMID, storage: STORAGE_ID },
    request: (node: string, o: BackupOptions) => {
      const g = guest(node, o.vmid);
      if (o.mode !== "stop" && o.mode !== "snapshot")
        throw new PveArgumentError("mode", "stop or snapshot");
      return buildRequest(
        "POST",
        "/nodes/{node}/vzdump",
        { node: g.node },
        {
          vmid: String(g.vmid),
          mode: o.mode,
          storage: validateStorage(o.storage),
          compress: o.compress,
          "notes-template": o.notes,
          protected: o.protected,
        },
        g,
      );
    },
    result: taskStarted,
  }),
  snapshot: defineOperation({
    label: "snapshot create",
    mutating: true,
    privileges: [vm("VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "snapshot" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      name: string,
      o: SnapshotOptions = {},
    ) => {
      if (o.vmstate !== undefined && kind !== "qemu")
        throw new PveArgumentError("vmstate", "QEMU only");
      const g = guest(node, vmid);
      return buildRequest(
        "POST",
        `${guestPath(kind)}/snapshot`,
        g,
        { snapname: validateSnapname(name), description: o.description, vmstate: o.vmstate },
        g,
      );
    },
    result: taskStarted,
  }),
  rollback: defineOperation({
    label: "snapshot rollback",
    mutating: true,
    privileges: [vm("VM.Snapshot.Rollback", "VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "rollback" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      name: string,
      o: { start?: boolean } = {},
    ) => {
      const g = guest(node, vmid);
      return buildRequest(
        "POST",
        `${guestPath(kind)}/snapshot/{snapname}/rollback`,
        { ...g, snapname: validateSnapname(name) },
        { start: o.start },
        g,
      );
    },
    result: taskStarted,
  }),
  deleteSnapshot: defineOperation({
    label: "snapshot delete",
    mutating: true,
    privileges: [vm("VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "delete-snapshot" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      name: string,
      o: { force?: boolean } = {},
    ) => {
      const g = guest(node, vmid);
      return buildRequest(
        "DELETE",
        `${guestPath(kind)}/snapshot/{snapname}`,
        { ...g, snapname: validateSnapname(name) },
        { force: o.force },
        g,
      );
    },
    result: taskStarted,
  }),
} as const;
