// fast-check generators for the helper's JSON-RPC surface: valid params for every method of DESIGN section 4
// (written from the table, not from the contract's code), hostile values, and mutations of valid requests
// (a changed value, a dropped key, an extra key, a params that is not an object, an unknown method).
import fc from "fast-check";
import { fixture } from "./fake-tools.js";

/** The filesystem UUIDs of the lsblk fixture (USB, SATA, duplicate, mounted, …). */
const UUIDS = JSON.parse(fixture("uuids.json")) as Record<string, string>;

const storage = fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}[a-z0-9]$/);
const templateFile = fc.stringMatching(
  /^[A-Za-z0-9][A-Za-z0-9_+-]{0,20}(\.[A-Za-z0-9_+-]{1,8}){0,2}$/,
);
const label = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/);

/** Valid params per method, as DESIGN section 4 describes them. */
export const validParams = {
  "helper.hello": fc.constant({}),
  "hw.sensors": fc.constant({}),
  "golden.createContainer": fc.record({
    vmid: fc.integer({ min: 100, max: 999_999_999 }),
    ostemplate: fc
      .tuple(storage, templateFile, fc.constantFrom("gz", "xz", "zst"))
      .map(([s, f, e]) => `${s}:vztmpl/${f}.tar.${e}`),
    storage,
    hostname: fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join(".")),
    memory: fc.integer({ min: 16, max: 4_194_304 }),
    cores: fc.integer({ min: 1, max: 8192 }),
    rootfsGiB: fc.integer({ min: 1, max: 131_072 }),
    bridge: fc.integer({ min: 0, max: 9999 }).map((n) => `vmbr${n}`),
  }),
  "usb.mount": fc.record({
    uuid: fc.oneof(
      fc.constantFrom(...Object.values(UUIDS)),
      fc.uuid().map((u) => u.toLowerCase()),
      fc.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}$/),
      fc.stringMatching(/^[0-9A-F]{16}$/),
    ),
    name: fc.oneof(
      fc.constantFrom("backup", "media", "usb-1", "x"),
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
    ),
    fstype: fc.constantFrom("ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs3"),
  }),
  "usb.unmount": fc.record({
    name: fc.oneof(
      fc.constantFrom("backup", "media", "usb-1", "x"),
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
    ),
  }),
  "hw.smart": fc.record({
    device: fc.oneof(
      fc.constantFrom("/dev/sda", "/dev/sdb", "/dev/nvme0n1", "/dev/sdc", "/dev/sdd", "/dev/sdz"),
      fc.stringMatching(/^\/dev\/(sd[a-z]{1,2}|nvme[0-9]{1,2}n[0-9]{1,2})$/),
    ),
  }),
} as const;

export type MethodName = keyof typeof validParams;
export const METHOD_NAMES = Object.keys(validParams) as MethodName[];

/** Values an attacker would try in any field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "-",
    "--",
    "--force",
    "--ssh-public-keys",
    "-h",
    "..",
    "../../etc/shadow",
    "/etc/passwd",
    "$(reboot)",
    "`id`",
    "a;b",
    "a b",
    "a\nb",
    "a\u0000b",
    "x\u202ey",
    "ｖｍｂｒ0",
    "vmbr0,firewall=1",
    "local:vztmpl/-.tar.gz",
    "local:vztmpl/../x.tar.gz",
    "__proto__",
    "",
    "/dev/sda1",
    "/dev/../dev/sda",
    "nesting=1,keyctl=1,mount=nfs",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.string({ minLength: 300, maxLength: 600 }),
);

/** A hostile twist of a valid value: an option prefix, a suffix, case, a number as a string, off by a little. */
function twist(v: unknown): fc.Arbitrary<unknown> {
  if (typeof v === "string")
    return fc.constantFrom(
      `-${v}`,
      `${v} --force`,
      `${v}\n`,
      ` ${v}`,
      v.toUpperCase(),
      `${v}/..`,
      `${v},x=1`,
      `--${v}`,
    );
  if (typeof v === "number")
    return fc.constantFrom(String(v), v + 0.5, -v, v * 1e9, 2 ** 53, Number.MAX_SAFE_INTEGER + 2);
  return hostileValue;
}

/** A copy of `p` with an own property `k` (also for `__proto__`, which a literal would not create). */
function withKey(p: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...p };
  Object.defineProperty(copy, k, {
    value: v,
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return copy;
}

const extraKey = fc.oneof(
  fc.constantFrom(
    "force",
    "features",
    "options",
    "__proto__",
    "constructor",
    "prototype",
    "ssh-public-keys",
    "unprivileged",
    "params",
  ),
  fc.string({ maxLength: 12 }),
);

/** A params value for `method`: valid (about half the time) or one mutation of a valid one. */
export function paramsFor(method: MethodName): fc.Arbitrary<{ params: unknown; omit?: boolean }> {
  const valid = validParams[method] as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    { weight: 10, arbitrary: valid.map((params) => ({ params })) },
    {
      weight: 4,
      arbitrary: valid.chain((p) => {
        const keys = Object.keys(p);
        if (keys.length === 0)
          return fc.tuple(extraKey, hostileValue).map(([k, v]) => ({ params: withKey({}, k, v) }));
        return fc
          .constantFrom(...keys)
          .chain((k) =>
            fc.oneof(twist(p[k]), hostileValue).map((v) => ({ params: { ...p, [k]: v } })),
          );
      }),
    },
    {
      weight: 2,
      arbitrary: valid.chain((p) =>
        Object.keys(p).length === 0
          ? fc.constant({ params: p })
          : fc.constantFrom(...Object.keys(p)).map((k) => {
              const copy = { ...p };
              delete copy[k];
              return { params: copy };
            }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, extraKey, hostileValue)
        .map(([p, k, v]) => ({ params: withKey(p, k, v) })),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        valid.map((p) => ({ params: Object.values(p) })),
        hostileValue.map((v) => ({ params: v })),
        fc.constant({ params: undefined, omit: true }),
      ),
    },
  );
}

export interface GeneratedRequest {
  method: string;
  params: unknown;
  /** No `params` member at all. */
  omit: boolean;
}

/** Unknown method names, including vscode-jsonrpc's own `$/` notifications sent as requests. */
const unknownMethod = fc.oneof(
  fc.constantFrom(
    "helper.Hello",
    "usb.mount ",
    " helper.hello",
    "helper.hello\u0000",
    "golden.create",
    "golden.createContainer.x",
    "pct.create",
    "shell.exec",
    "$/cancelRequest",
    "$/setTrace",
    "$/progress",
    "rpc.discover",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "",
  ),
  fc.string({ maxLength: 30 }),
);

export const request: fc.Arbitrary<GeneratedRequest> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .constantFrom(...METHOD_NAMES)
      .chain((m) =>
        paramsFor(m).map((p) => ({ method: m, params: p.params, omit: p.omit === true })),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(unknownMethod, hostileValue)
      .map(([method, params]) => ({ method, params, omit: false })),
  },
);
