// Synthetic guests for large-list benchmarks (vmid 1000 up, alternating containers and VMs, two thirds running).
import type { Prng } from "../prng.js";
import { lxcNet } from "./sample-data.js";
import type { SimState } from "./state.js";

export function addExtraGuests(state: SimState, prng: Prng, count: number): void {
  for (let i = 0; i < count; i++) {
    const vmid = 1000 + i;
    const lxc = i % 2 === 0;
    state.addGuest({
      vmid,
      type: lxc ? "lxc" : "qemu",
      status: i % 3 === 2 ? "stopped" : "running",
      registerVolumes: false,
      config: lxc
        ? {
            arch: "amd64",
            cores: 1,
            hostname: `ct-${vmid}`,
            memory: 512,
            net0: lxcNet(prng),
            ostype: "debian",
            rootfs: `local-lvm:vm-${vmid}-disk-0,size=4G`,
            swap: 512,
            unprivileged: 1,
          }
        : {
            cores: 1,
            memory: "1024",
            name: `vm-${vmid}`,
            net0: `virtio=${prng.mac()},bridge=vmbr0`,
            ostype: "l26",
            scsi0: `local-lvm:vm-${vmid}-disk-0,size=8G`,
          },
    });
  }
}
