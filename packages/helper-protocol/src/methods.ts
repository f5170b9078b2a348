// The RPC contract, declared once: every method's name, strict params schema and result schema.
import { z } from "zod";
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
export interface MethodDef<M extends string, P extends z.ZodType, R extends z.ZodType> {
  readonly method: M;
  readonly params: P;
  readonly result: R;
  readonly type: RequestType<z.input<P>, z.output<R>, void>;
}

function defineMethod<M extends string, P extends z.ZodType, R extends z.ZodType>(
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

const Text = z.string().max(4096);

export const hello = defineMethod(
  "helper.hello",
  NoParams,
  z.strictObject({
    protocol: z.literal(PROTOCOL),
    version: z.number().int().positive(),
    methods: z.array(z.string().max(64)).max(16),
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
    output: z.array(Text).max(50),
  }),
);

export const usbMount = defineMethod(
  "usb.mount",
  z.strictObject({ uuid: FsUuid, name: MountName, fstype: FsType }),
  z.strictObject({
    name: MountName,
    unit: z.string().max(128),
    where: z.string().max(64),
    device: z.string().max(256),
  }),
);

export const usbUnmount = defineMethod(
  "usb.unmount",
  z.strictObject({ name: MountName }),
  z.strictObject({ name: MountName, unit: z.string().max(128) }),
);

const SmartAttribute = z.strictObject({
  id: z.number().int().min(0).max(255),
  name: z.string().max(64),
  value: z.number().int(),
  worst: z.number().int(),
  threshold: z.number().int(),
  raw: z.number(),
  failing: z.boolean(),
});

const NvmeHealth = z.strictObject({
  criticalWarning: z.number().int(),
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
    exitStatus: z.number().int().min(0).max(255),
    warnings: z.array(z.string().max(64)).max(8),
    model: z.string().max(128).optional(),
    serial: z.string().max(128).optional(),
    temperatureC: z.number().optional(),
    powerOnHours: z.number().optional(),
    ataAttributes: z.array(SmartAttribute).max(256).optional(),
    nvmeHealth: NvmeHealth.optional(),
  }),
);

export const SensorReading = z.strictObject({
  chip: z.string().max(128),
  label: z.string().max(128),
  kind: z.enum(["temp", "fan", "voltage", "power", "current", "other"]),
  value: z.number(),
  unit: z.enum(["°C", "RPM", "V", "W", "A", ""]),
  min: z.number().optional(),
  max: z.number().optional(),
  crit: z.number().optional(),
});
export type SensorReading = z.infer<typeof SensorReading>;

export const sensors = defineMethod(
  "hw.sensors",
  NoParams,
  z.strictObject({ readings: z.array(SensorReading).max(1024) }),
);

/** Every method of the contract, by its key. The helper registers each of these explicitly. */
export const methods = { hello, createContainer, usbMount, usbUnmount, smart, sensors } as const;
export type Methods = typeof methods;
export type MethodKey = keyof Methods;
export type ParamsOf<K extends MethodKey> = z.input<Methods[K]["params"]>;
export type ResultOf<K extends MethodKey> = z.output<Methods[K]["result"]>;

/** The wire names, in the order of the design table. */
export const methodNames = Object.values(methods).map((m) => m.method);
