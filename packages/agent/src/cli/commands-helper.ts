// The CLI's root-helper subcommands: golden create, usb mount/unmount, smart, sensors.
import {
  BlockDevice,
  Bridge,
  FsType,
  FsUuid,
  Hostname,
  MountName,
  OsTemplate,
  StorageId,
} from "@felhom/helper-protocol";
import { describeError, quote } from "../errors.js";
import { helperHint } from "../helper-hints.js";
import { discoverDisks } from "../snapshot.js";
import type { CommandDef } from "./command.js";
import { keyValues, table } from "./format.js";
import type { ArgReader } from "./reader.js";

/** Checks a value against one of the contract's shapes (the helper checks again), naming the argument. */
function shaped(
  args: ArgReader,
  label: string,
  value: string,
  shape: { safeParse(value: unknown): { success: boolean } },
  what: string,
): string {
  if (!shape.safeParse(value).success) args.fail(`${label} ${quote(value)} is not ${what}`);
  return value;
}

const golden: CommandDef = {
  name: "golden create",
  summary:
    "create the golden-image container with features keyctl=1 (through the root helper: pct create)",
  operands: [{ name: "VMID" }],
  options: {
    template: { type: "string", value: "VOLID", help: "STORAGE:vztmpl/FILE.tar.{gz,xz,zst}" },
    storage: { type: "string", value: "STORAGE", help: "storage for the root filesystem" },
    hostname: { type: "string", value: "NAME", help: "the container's host name" },
    memory: { type: "string", value: "MiB", help: "memory (default 1024)" },
    cores: { type: "string", value: "N", help: "CPU cores (default 2)" },
    rootfs: { type: "string", value: "GiB", help: "root disk size (default 8)" },
    bridge: { type: "string", value: "vmbrN", help: "network bridge (default vmbr0)" },
  },
  ops: ["goldenCreate"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const ostemplate = shaped(
      args,
      "--template",
      args.requiredString("template"),
      OsTemplate,
      "STORAGE:vztmpl/FILE.tar.{gz,xz,zst}",
    );
    const storage = shaped(
      args,
      "--storage",
      args.requiredString("storage"),
      StorageId,
      "a storage id",
    );
    const hostname = shaped(
      args,
      "--hostname",
      args.requiredString("hostname"),
      Hostname,
      "a DNS host name",
    );
    const bridge = shaped(
      args,
      "--bridge",
      args.string("bridge") ?? "vmbr0",
      Bridge,
      "a bridge vmbrN",
    );
    const params = {
      vmid,
      ostemplate,
      storage,
      hostname,
      memory: args.int("memory", 16, 4_194_304) ?? 1024,
      cores: args.int("cores", 1, 8192) ?? 2,
      rootfsGiB: args.int("rootfs", 1, 131_072) ?? 8,
      bridge,
    };
    const host = await ctx.host();
    if (!ctx.json)
      ctx.io.stderr.write(
        `golden create ${vmid}: pct create through the root helper (may take minutes)…\n`,
      );
    const r = await host.goldenCreate(params, { signal: ctx.signal });
    return {
      data: r,
      text: [
        `✓ golden create ${r.vmid}: created with features nesting=1,keyctl=1`,
        ...r.output.map((l) => `  │ ${l}`),
      ].join("\n"),
    };
  },
};

const usbMount: CommandDef = {
  name: "usb mount",
  summary:
    "mount a USB disk by filesystem UUID at /mnt/felhom/NAME (a systemd mount unit, via the root helper)",
  operands: [{ name: "UUID" }, { name: "NAME" }],
  options: {
    fstype: {
      type: "string",
      value: FsType.options.join("|"),
      help: "the filesystem (default ext4)",
    },
  },
  ops: ["usbMount"],
  async run(ctx, args) {
    const uuid = shaped(args, "UUID", args.required(0), FsUuid, "a filesystem UUID");
    const name = shaped(
      args,
      "NAME",
      args.required(1),
      MountName,
      "a mount name ([a-z0-9][a-z0-9-]{0,31})",
    );
    const fstype = args.choice("fstype", FsType.options) ?? "ext4";
    const host = await ctx.host();
    const r = await host.usbMount({ uuid, name, fstype }, { signal: ctx.signal });
    return {
      data: r,
      text: `✓ mounted ${r.device} at ${r.where}\n${keyValues([
        ["unit", r.unit],
        ["device", r.device],
      ])}`,
    };
  },
};

const usbUnmount: CommandDef = {
  name: "usb unmount",
  summary: "unmount a USB disk mounted with `felhom usb mount` and remove its unit",
  operands: [{ name: "NAME" }],
  options: {},
  ops: ["usbUnmount"],
  async run(ctx, args) {
    const name = shaped(args, "NAME", args.required(0), MountName, "a mount name");
    const host = await ctx.host();
    const r = await host.usbUnmount({ name }, { signal: ctx.signal });
    return { data: r, text: `✓ unmounted ${r.name} (${r.unit} removed)` };
  },
};

const smart: CommandDef = {
  name: "smart",
  summary: "SMART health of a disk, or of every disk (/dev/sdX, /dev/nvmeNnM) when none is named",
  operands: [{ name: "DEVICE", optional: true }],
  options: {},
  ops: ["smart"],
  async run(ctx, args) {
    const named = args.operand(0);
    if (named !== undefined) shaped(args, "DEVICE", named, BlockDevice, "/dev/sdX or /dev/nvmeNnM");
    const session = await ctx.session();
    const devices =
      named !== undefined ? [named] : (session.config.snapshot.disks ?? (await discoverDisks()));
    const results = [];
    let failed = 0;
    let hint: string | undefined;
    for (const device of devices) {
      try {
        results.push(await session.host.smart({ device }, { signal: ctx.signal }));
      } catch (err) {
        failed++;
        hint ??= helperHint(err);
        results.push({ device, error: describeError(err) });
      }
    }
    const rows = results.map((r) =>
      "error" in r
        ? [r.device, "ERROR", undefined, undefined, undefined, r.error]
        : [
            r.device,
            r.health,
            r.temperatureC === undefined ? undefined : `${r.temperatureC}°C`,
            r.powerOnHours === undefined ? undefined : `${r.powerOnHours} h`,
            r.model,
            r.warnings.join(",") || undefined,
          ],
    );
    const out = {
      data: named !== undefined ? results[0] : results,
      text:
        devices.length === 0
          ? "no disks of the forms /dev/sdX or /dev/nvmeNnM found"
          : table(["DEVICE", "HEALTH", "TEMP", "POWER-ON", "MODEL", "NOTES"], rows),
    };
    return failed > 0
      ? {
          ...out,
          exitCode: 1,
          error: `smart: ${failed} of ${devices.length} disks could not be read`,
          ...(hint !== undefined ? { hint } : {}),
        }
      : out;
  },
};

const sensors: CommandDef = {
  name: "sensors",
  summary: "hardware sensor readings (temperatures, fans, voltages)",
  operands: [],
  options: {},
  ops: ["sensors"],
  async run(ctx) {
    const host = await ctx.host();
    const { readings } = await host.sensors({ signal: ctx.signal });
    return {
      data: readings,
      text:
        readings.length === 0
          ? "no sensors found on this host (no hwmon chips)"
          : table(
              ["CHIP", "LABEL", "KIND", "VALUE", "MIN", "MAX", "CRIT"],
              readings.map((r) => [
                r.chip,
                r.label,
                r.kind,
                `${r.value}${r.unit ? ` ${r.unit}` : ""}`,
                r.min,
                r.max,
                r.crit,
              ]),
            ),
    };
  },
};

export const HELPER_COMMANDS: readonly CommandDef[] = [
  golden,
  usbMount,
  usbUnmount,
  smart,
  sensors,
];
