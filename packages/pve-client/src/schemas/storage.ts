// Storage lists and contents (GET /nodes/{node}/storage, …/storage/{storage}/content), with `content` split
// into a list and flags as booleans.
import { listOf, record, t, type Infer } from "./record.js";

const storageSpec = {
  storage: t.string,
  type: t.string,
  content: t.list,
  active: t.opt.boolean,
  enabled: t.opt.boolean,
  shared: t.opt.boolean,
  avail: t.opt.number,
  total: t.opt.number,
  used: t.opt.number,
  used_fraction: t.opt.number,
};
export type StorageInfo = Infer<typeof storageSpec>;
export const parseStorageList = listOf(record(storageSpec));

const contentSpec = {
  volid: t.string,
  format: t.string,
  size: t.number,
  content: t.opt.string,
  ctime: t.opt.number,
  vmid: t.opt.number,
  notes: t.opt.string,
  parent: t.opt.string,
  protected: t.opt.boolean,
  used: t.opt.number,
  encrypted: t.opt.string,
  subtype: t.opt.string,
  verification: t.opt.unknown,
};
export type StorageVolume = Infer<typeof contentSpec>;
export const parseStorageContent = listOf(record(contentSpec));
