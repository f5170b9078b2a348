// The Client: one typed method per routing-table API operation. Reads (ReadClient) return validated,
// normalised data; every call that starts a task returns a parsed Upid to hand to waitTask (or use run()).
import { evaluateAccess, type AccessReport, type AccessScope } from "./access.js";
import type { LxcConfigChanges, QemuConfigChanges } from "./config-changes.js";
import { PveResponseShapeError } from "./errors.js";
import type { CallOptions } from "./http.js";
import {
  ops,
  type BackupOptions,
  type RestoreLxcOptions,
  type SnapshotOptions,
} from "./operations.js";
import { ReadClient, type ClientOptions as ReadClientOptions } from "./read-client.js";
import type { PveRequest } from "./request.js";
import type { GuestKind } from "./schemas/guests.js";
import { isUpidString, parseUpid, type Upid } from "./upid.js";

export type ClientOptions = ReadClientOptions;

export class Client extends ReadClient {
  // ---- mutations (each returns the task's Upid) ------------------------------------------------------

  /** Restores a container from a vzdump archive into a new vmid (never starts it). */
  restoreLxc(node: string, o: RestoreLxcOptions, opts?: CallOptions): Promise<Upid> {
    return this.#task(ops.restoreLxc(node, o), opts);
  }

  backup(node: string, o: BackupOptions, opts?: CallOptions): Promise<Upid> {
    return this.#task(ops.backup(node, o), opts);
  }

  createSnapshot(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: SnapshotOptions,
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(ops.createSnapshot(node, kind, vmid, name, o), opts);
  }

  rollback(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: { start?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(ops.rollback(node, kind, vmid, name, o), opts);
  }

  deleteSnapshot(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: { force?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(ops.deleteSnapshot(node, kind, vmid, name, o), opts);
  }

  /**
   * Changes a guest's config. LXC: PVE applies it synchronously (resolves to undefined). QEMU: PVE runs a
   * `qmconfig` task (resolves to its Upid).
   */
  setConfig(
    node: string,
    kind: "lxc",
    vmid: number,
    changes: LxcConfigChanges,
    opts?: CallOptions,
  ): Promise<void>;
  setConfig(
    node: string,
    kind: "qemu",
    vmid: number,
    changes: QemuConfigChanges,
    opts?: CallOptions,
  ): Promise<Upid>;
  async setConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    changes: LxcConfigChanges | QemuConfigChanges,
    opts?: CallOptions,
  ): Promise<Upid | void> {
    if (kind === "qemu")
      return this.#task(ops.setQemuConfig(node, vmid, changes as QemuConfigChanges), opts);
    const req = ops.setLxcConfig(node, vmid, changes as LxcConfigChanges);
    const data = await this.data(req, opts);
    if (data !== null && data !== "") {
      throw new PveResponseShapeError(req.method, req.path, [
        { path: [], message: "expected null" },
      ]);
    }
  }

  start(node: string, kind: GuestKind, vmid: number, opts?: CallOptions): Promise<Upid> {
    return this.#task(ops.start(node, kind, vmid), opts);
  }

  /** Hard stop. `overruleShutdown` aborts a running shutdown task first. */
  stop(
    node: string,
    kind: GuestKind,
    vmid: number,
    o?: { overruleShutdown?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(ops.stop(node, kind, vmid, o), opts);
  }

  /** Clean shutdown; `timeout` in seconds, `forceStop` stops the guest if it does not comply. */
  shutdown(
    node: string,
    kind: GuestKind,
    vmid: number,
    o?: { timeout?: number; forceStop?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(ops.shutdown(node, kind, vmid, o), opts);
  }

  // ---- preflight ------------------------------------------------------------------------------------

  /** Reads /version and /access/permissions and reports, per operation, which privileges are missing. */
  async checkAccess(scope: AccessScope | string, opts?: CallOptions): Promise<AccessReport> {
    const s = typeof scope === "string" ? { node: scope } : scope;
    const [version, perms] = await Promise.all([
      this.version(opts),
      this.permissions(undefined, opts),
    ]);
    return evaluateAccess(version, perms, s);
  }

  // ---- internals ------------------------------------------------------------------------------------

  async #task(req: PveRequest, opts: CallOptions | undefined): Promise<Upid> {
    const data = await this.data(req, opts);
    if (!isUpidString(data)) {
      throw new PveResponseShapeError(req.method, req.path, [
        { path: [], message: `expected a UPID, got ${JSON.stringify(data)?.slice(0, 80)}` },
      ]);
    }
    return parseUpid(data);
  }
}
