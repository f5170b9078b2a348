// The guest configurations in pmxcfs, read whole (snapshot and pending sections included): the USB check looks
// for a disk in them and the golden policy counts guests by vmid. /etc/pve/{lxc,qemu-server} are links to the
// local node's folders, so reading nodes/*/ covers them and every other node's.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export type GuestConfig = { readonly vmid: number; readonly text: string };

/** Every nodes/NODE/{qemu-server,lxc}/VMID.conf. Rejects if pmxcfs cannot be listed: callers then refuse. */
export async function guestConfigs(pveDir: string): Promise<GuestConfig[]> {
  const configs: GuestConfig[] = [];
  for (const node of await readdir(join(pveDir, "nodes")))
    for (const kind of ["qemu-server", "lxc"]) {
      const dir = join(pveDir, "nodes", node, kind);
      for (const file of await readdir(dir).catch(() => [] as string[])) {
        const vmid = /^([1-9][0-9]{2,8})\.conf$/.exec(file)?.[1];
        if (vmid)
          configs.push({ vmid: Number(vmid), text: await readFile(join(dir, file), "utf8") });
      }
    }
  return configs;
}
