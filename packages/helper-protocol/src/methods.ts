// The RPC contract, declared once: every method's name, strict params schema and result schema.
import * as z from "zod/mini";
import jsonrpc from "vscode-jsonrpc";
import {
  Bridge,
  BlockDevice,
  Cores,
  FsType,
  FsUuid,
  Hostname,
  MemoryMiB,
  MountName,
  NoParams,
  OsTemplate,
  RootfsGiB,
  StorageId,
  Vmid,
} from "./shapes.js";
// vscode-jsonrpc is CommonJS: a default import, never Node's named-export detection (issue 13).
const { RequestType, ParameterStructures } = jsonrpc;
type RequestType<P, R, E> = jsonrpc.RequestType<P, R, E>;

/** The protocol name and version a helper and an agent must agree on. */
export const PROTOCOL = "felhom-root-helper" as const;
export const PROTOCOL_VERSION = 1 as const;

/** One method of the contract: its wire name, params and result schemas, and the typed vscode-jsonrpc request. */
export interface MethodDef<M extends string, P extends z.ZodMiniType, R extends z.ZodMiniType> {
  readonly method: M;
  readonly params: P;
  readonly result: R;
  readonly type: RequestType<z.input<P>, z.output<R>, void>;
}

function defineMethod<M extends string, P extends z.ZodMiniType, R extends z.ZodMiniType>(
  method: M,
  params: P,
  result: R,
): MethodDef<M, P, R> {
  return Object.freeze({
    method,
    params,
    result,
    type: new RequestType<z.input<P>, z.output<R>, void>(method, ParameterStructures.byName),
  });
}

const Text = z.string().check(z.maxLength(4096));

export const hello = defineMethod(
  "helper.hello",
  NoParams,
  z.strictObject({
    protocol: z.literal(PROTOCOL),
    version: z.int().check(z.positive()),
    methods: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(16)),
  }),
);

export const createContainer = defineMethod(
  "golden.createContainer",
  z.strictObject({
    vmid: Vmid,
    ostemplate: OsTemplate,
    storage: StorageId,
    hostname: Hostname,
    memory: MemoryMiB,
    cores: Cores,
    rootfsGiB: RootfsGiB,
    bridge: Bridge,
  }),
  z.strictObject({
    vmid: Vmid,
    /** The last lines of pct's output, control characters removed. */
    output: z.array(Text).check(z.maxLength(50)),
  }),
);

export const usbMount = defineMethod(
  "usb.mount",
  z.strictObject({ uuid: FsUuid, name: MountName, fstype: FsType }),
  z.strictObject({
    name: MountName,
    unit: z.string().check(z.maxLength(128)),
    where: z.string().check(z.maxLength(64)),
    device: z.string().check(z.maxLength(256)),
  }),
);

export const usbUnmount = defineMethod(
  "usb.unmount",
  z.strictObject({ name: MountName }),
  z.strictObject({ name: MountName, unit: z.string().check(z.maxLength(128)) }),
);

const SmartAttribute = z.strictObject({
  id: z.int().check(z.minimum(0), z.maximum(255)),
  name: z.string().check(z.maxLength(64)),
  value: z.int(),
  worst: z.int(),
  threshold: z.int(),
  raw: z.number(),
  failing: z.boolean(),
});

const NvmeHealth = z.strictObject({
  criticalWarning: z.int(),
  temperatureC: z.number(),
  availableSpare: z.number(),
  percentageUsed: z.number(),
  powerOnHours: z.number(),
  unsafeShutdowns: z.number(),
  mediaErrors: z.number(),
});

export const smart = defineMethod(
  "hw.smart",
  z.strictObject({ device: BlockDevice }),
  z.strictObject({
    device: BlockDevice,
    /** PASSED or FAILED from SMART's own verdict; UNKNOWN when smartctl could not say. */
    health: z.enum(["PASSED", "FAILED", "UNKNOWN"]),
    /** smartctl's exit-status bitmask, decoded (bits 0-2: no usable data; 3-7: data with warnings). */
    exitStatus: z.int().check(z.minimum(0), z.maximum(255)),
    warnings: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8)),
    model: z.optional(z.string().check(z.maxLength(128))),
    serial: z.optional(z.string().check(z.maxLength(128))),
    temperatureC: z.optional(z.number()),
    powerOnHours: z.optional(z.number()),
    ataAttributes: z.optional(z.array(SmartAttribute).check(z.maxLength(256))),
    nvmeHealth: z.optional(NvmeHealth),
  }),
);

export const SensorReading = z.strictObject({
  chip: z.string().check(z.maxLength(128)),
  label: z.string().check(z.maxLength(128)),
  kind: z.enum(["temp", "fan", "voltage", "power", "current", "other"]),
  value: z.number(),
  unit: z.enum(["°C", "RPM", "V", "W", "A", ""]),
  min: z.optional(z.number()),
  max: z.optional(z.number()),
  crit: z.optional(z.number()),
});
export type SensorReading = z.infer<typeof SensorReading>;

export const sensors = defineMethod(
  "hw.sensors",
  NoParams,
  z.strictObject({ readings: z.array(SensorReading).check(z.maxLength(1024)) }),
);

/** Every method of the contract, by its key. The helper registers each of these explicitly. */
export const methods = { hello, createContainer, usbMount, usbUnmount, smart, sensors } as const;
export type Methods = typeof methods;
export type MethodKey = keyof Methods;
export type ParamsOf<K extends MethodKey> = z.input<Methods[K]["params"]>;
export type ResultOf<K extends MethodKey> = z.output<Methods[K]["result"]>;

/** The wire names, in the order of the design table. */
export const methodNames = Object.values(methods).map((m) => m.method);
