// The admin's bounds on golden.createContainer (pct runs as root@pam and would bypass the token's ACLs): a
// policy file only root can change, checked like doas.conf (a regular file, not a link, owned by the helper's
// own uid, writable by nobody else) and read again on every request, so an edit applies at once.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { Bridge, HelperFailure, OsTemplate, StorageId, Vmid } from "@felhom/helper-protocol";
import type { ParamsOf } from "@felhom/helper-protocol";
import { isRecord } from "./exec.js";

/** An entry of `templates` is a volid; `*` in it stands for any run of characters within one name. */
export type GoldenPolicy = {
  templates: string[];
  storages: string[];
  bridges: string[];
  vmids: { min: number; max: number };
  maxRootfsGiB: number;
  maxMemoryMiB: number;
  maxCores: number;
  maxContainers: number;
};
type Shape = { safeParse(v: unknown): { success: boolean } };

const list = (v: unknown, shape: Shape): boolean =>
  Array.isArray(v) && v.length <= 64 && v.every((x) => shape.safeParse(x).success);
const int = (v: unknown, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
/** Each key with its check: the file has exactly these keys (a misspelt one is an error, not a default). */
const FIELDS: Record<keyof GoldenPolicy, (v: unknown) => boolean> = {
  templates: (v) =>
    Array.isArray(v) &&
    list(
      v.map((t) => String(t).replace(/\*/g, "xx")),
      OsTemplate,
    ),
  storages: (v) => list(v, StorageId),
  bridges: (v) => list(v, Bridge),
  vmids: (v) => {
    const r = v as GoldenPolicy["vmids"];
    return (
      isRecord(v) && list([r.min, r.max], Vmid) && r.min <= r.max && Object.keys(v).length === 2
    );
  },
  maxRootfsGiB: (v) => int(v, 131_072),
  maxMemoryMiB: (v) => int(v, 4_194_304),
  maxCores: (v) => int(v, 8192),
  maxContainers: (v) => int(v, 10_000),
};

export async function readPolicy(path: string): Promise<GoldenPolicy> {
  const invalid = new HelperFailure("POLICY_INVALID");
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (fh === undefined) throw invalid;
  try {
    const st = await fh.stat(); // of the open file itself: nothing can be swapped in between
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) throw invalid;
    const policy: unknown = JSON.parse((await fh.readFile("utf8")).slice(0, 65_536));
    const keys = isRecord(policy) ? Object.keys(policy).sort() : [];
    if (keys.join() !== Object.keys(FIELDS).sort().join()) throw invalid;
    const p = policy as Record<string, unknown>;
    if (!Object.entries(FIELDS).every(([k, ok]) => ok(p[k]))) throw invalid;
    return policy as GoldenPolicy;
  } catch {
    throw invalid;
  } finally {
    await fh.close();
  }
}

/** POLICY_DENIED for any value outside the policy; GOLDEN_LIMIT when the guests in its vmid range (`vmids`
 * of every guest config, any kind, any node) already number maxContainers. */
export function checkPolicy(
  policy: GoldenPolicy,
  p: ParamsOf<"createContainer">,
  vmids: number[],
): void {
  const glob = (t: string) =>
    new RegExp(`^${t.replace(/[.+]/g, "\\$&").replace(/\*/g, "[^/:]*")}$`);
  const inRange = (id: number): boolean => id >= policy.vmids.min && id <= policy.vmids.max;
  const allowed =
    policy.templates.some((t) => glob(t).test(p.ostemplate)) &&
    policy.storages.includes(p.storage) &&
    policy.bridges.includes(p.bridge) &&
    inRange(p.vmid) &&
    p.rootfsGiB <= policy.maxRootfsGiB &&
    p.memory <= policy.maxMemoryMiB &&
    p.cores <= policy.maxCores;
  if (!allowed) throw new HelperFailure("POLICY_DENIED");
  if (vmids.filter(inRange).length >= policy.maxContainers) throw new HelperFailure("GOLDEN_LIMIT");
}
