#!/usr/bin/node
// The demo's stand-in for /usr/sbin/pct (copied into the sandbox as `pct`): records its argv like the other fake
// tools, then does what `pct create` would make visible through the API: it registers the new container with
// the simulator through its loopback admin endpoint (sim-admin.json beside this file), and prints pct's output.
import { appendFileSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join } from "node:path";

const dir = dirname(process.argv[1] ?? "");
const argv = process.argv.slice(2);
appendFileSync(
  join(dir, "calls.jsonl"),
  `${JSON.stringify({ tool: "pct", argv, env: process.env, stdin: "" })}\n`,
);

const [verb, vmid, ostemplate, ...rest] = argv;
const opt = (name) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};
if (verb !== "create" || !vmid || !ostemplate) {
  process.stderr.write("fake pct: only `pct create` is simulated\n");
  process.exit(2);
}
const admin = JSON.parse(readFileSync(join(dir, "sim-admin.json"), "utf8"));
const [rootStorage, size] = (opt("rootfs") ?? "local-lvm:8").split(":");
const mac = `BC:24:11:${[0, 0, 0]
  .map(() =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0")
      .toUpperCase(),
  )
  .join(":")}`;
const spec = {
  vmid: Number(vmid),
  type: "lxc",
  status: "stopped",
  config: {
    arch: "amd64",
    cores: Number(opt("cores") ?? 1),
    features: opt("features") ?? "",
    hostname: opt("hostname") ?? `CT${vmid}`,
    memory: Number(opt("memory") ?? 512),
    net0: `${opt("net0") ?? "name=eth0,bridge=vmbr0,ip=dhcp"},hwaddr=${mac},type=veth`,
    ostype: "debian",
    rootfs: `${rootStorage}:vm-${vmid}-disk-0,size=${size}G`,
    swap: 512,
    unprivileged: Number(opt("unprivileged") ?? 1),
  },
};
const body = JSON.stringify(spec);
const url = new URL("/_sim/guests", admin.url);
const req = request(
  url,
  {
    method: "POST",
    ca: admin.ca,
    headers: {
      Authorization: `PVESimAdmin ${admin.secret}`,
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
    },
  },
  (res) => {
    let text = "";
    res.on("data", (c) => (text += c));
    res.on("end", () => {
      if (res.statusCode !== 200) {
        process.stderr.write(`unable to create CT ${vmid} - ${text}\n`);
        process.exit(255);
      }
      const template = ostemplate.replace(/^[^:]+:vztmpl\//, "/var/lib/vz/template/cache/");
      process.stdout.write(
        [
          `  Logical volume "vm-${vmid}-disk-0" created.`,
          `Creating filesystem with ${Number(size) * 262144} 4k blocks and ${Number(size) * 65536} inodes`,
          `extracting archive '${template}'`,
          "Total bytes read: 537671680 (513MiB, 181MiB/s)",
          "Detected container architecture: amd64",
          "Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...",
          "done: SHA256:q2T1mJbJ0n7v0vHkT6mD3xPA8Rk7n5b1o0Jc5m2s6qY root@golden",
          "",
        ].join("\n"),
      );
    });
  },
);
req.on("error", (err) => {
  process.stderr.write(`fake pct: ${err.message}\n`);
  process.exit(255);
});
req.end(body);
