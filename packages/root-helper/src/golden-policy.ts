// The admin's bounds on golden.createContainer (pct runs as root@pam and would bypass the token's ACLs): a
// policy file only root can change, checked like doas.conf (a regular file, not a link, owned by the helper's
// own uid, writable by nobody else) and read again on every request, so an edit applies at once.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import * as shape from "@felhom/helper-protocol";
import { HelperFailure, type ParamsOf } from "@felhom/helper-protocol";
import { isRecord } from "./exec.js";

type Check = (v: unknown) => boolean;
type Shape = { safeParse(v: unknown): { success: boolean } };
const one =
  (s: Shape): Check =>
  (v) =>
    s.safeParse(v).success;
/** A list of allowed values; `*` in one stands for any run of characters but `/` and `:`. */
const list =
  (s: Shape): Check =>
  (v) =>
    Array.isArray(v) && v.length <= 64 && v.every((t) => one(s)(String(t).replace(/\*/g, "xx")));
/** Exactly these keys, each value passing its check: a misspelt key is an error, not a default. */
const exactly =
  (checks: Record<string, Check>): Check =>
  (v) =>
    isRecord(v) &&
    Object.keys(v).sort().join() === Object.keys(checks).sort().join() &&
    Object.entries(checks).every(([k, ok]) => ok(v[k]));
const { OsTemplate, StorageId, Bridge, RootfsGiB, MemoryMiB, Cores, Vmid } = shape;
const POLICY = exactly({
  allow: exactly({ ostemplate: list(OsTemplate), storage: list(StorageId), bridge: list(Bridge) }),
  max: exactly({ rootfsGiB: one(RootfsGiB), memory: one(MemoryMiB), cores: one(Cores) }),
  vmids: (v) => Array.isArray(v) && v.length === 2 && v.every(one(Vmid)) && v[0] <= v[1],
  maxContainers: (v) => Number.isInteger(v) && (v as number) >= 0,
});
export type GoldenPolicy = {
  allow: Record<"ostemplate" | "storage" | "bridge", string[]>;
  max: Record<"rootfsGiB" | "memory" | "cores", number>;
  vmids: [min: number, max: number];
  maxContainers: number;
};

export async function readPolicy(path: string): Promise<GoldenPolicy> {
  const invalid = new HelperFailure("POLICY_INVALID");
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (fh === undefined) throw invalid;
  try {
    const st = await fh.stat(); // of the open file itself: nothing can be swapped in between
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) throw invalid;
    const policy: unknown = JSON.parse((await fh.readFile("utf8")).slice(0, 65_536));
    if (POLICY(policy)) return policy as GoldenPolicy;
  } catch {
    // unreadable or not JSON: as invalid as a wrong shape
  } finally {
    await fh.close();
  }
  throw invalid;
}

/** POLICY_DENIED for any value outside the policy; GOLDEN_LIMIT when the guests in its vmid range (`vmids`:
 * of every guest config, any kind, any node) already number maxContainers. */
export function checkPolicy(policy: GoldenPolicy, p: ParamsOf<"createContainer">, vmids: number[]) {
  const glob = (t: string) =>
    new RegExp(`^${t.replace(/[.+]/g, "\\$&").replace(/\*/g, "[^/:]*")}$`);
  const inRange = (id: number): boolean => id >= policy.vmids[0] && id <= policy.vmids[1];
  const allowed =
    Object.entries(policy.allow).every(([k, l]) =>
      l.some((t) => glob(t).test(p[k as "storage"])),
    ) &&
    Object.entries(policy.max).every(([k, max]) => p[k as "cores"] <= max) &&
    inRange(p.vmid);
  if (!allowed) throw new HelperFailure("POLICY_DENIED");
  if (vmids.filter(inRange).length >= policy.maxContainers) throw new HelperFailure("GOLDEN_LIMIT");
}
