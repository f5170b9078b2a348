// Bad input for the agent's edges: config files (malformed JSON, wrong types, missing fields, hostile strings,
// unknown keys), environment overrides, CLI and daemon arguments, and token files. Each case says which
// words the one-line error must contain (the field, option or file it is about).
import fc from "fast-check";
import { COMMANDS } from "@felhom/agent";

export type Target = "cli" | "daemon";

export interface BadInput {
  group: "config file" | "environment" | "cli arguments" | "daemon arguments" | "token file";
  name: string;
  target: Target;
  /** The config file's text (undefined: the valid base config). */
  configText?: string;
  /** Extra arguments (after --config/--token-file for the CLI they come before the command). */
  args: string[];
  env?: Record<string, string>;
  /** Token file text and mode (undefined: the valid token file). */
  token?: { text: string; mode: number };
  /** No --config / --token-file given. */
  bare?: boolean;
  /** The error line must contain one of these. */
  names: string[];
  /** Usage lines may follow the error line (argument errors). */
  usageAllowed: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The valid base config; the state file and URL are filled in per run (the URL is a closed local port). */
export function baseConfig(stateFile: string): Record<string, Json> {
  return {
    pve: {
      url: "https://127.0.0.1:1",
      node: "pve",
      tokenId: "felhom@pve!agent",
      tls: {
        fingerprint256: Array.from({ length: 32 }, (_, i) =>
          (i * 7 + 16).toString(16).toUpperCase().padStart(2, "0"),
        ).join(":"),
      },
    },
    helper: { socket: "/run/felhom-helper/helper.sock" },
    snapshot: { intervalSeconds: 60, stateFile },
    log: { level: "info" },
  };
}

const LEAVES: ReadonlyArray<{ path: string[]; kind: "string" | "number"; required: boolean }> = [
  { path: ["pve", "url"], kind: "string", required: true },
  { path: ["pve", "node"], kind: "string", required: true },
  { path: ["pve", "tokenId"], kind: "string", required: true },
  { path: ["pve", "tls", "fingerprint256"], kind: "string", required: false },
  { path: ["helper", "socket"], kind: "string", required: false },
  { path: ["snapshot", "intervalSeconds"], kind: "number", required: false },
  { path: ["snapshot", "stateFile"], kind: "string", required: false },
  { path: ["log", "level"], kind: "string", required: false },
];
const OBJECTS: readonly string[][] = [
  [],
  ["pve"],
  ["pve", "tls"],
  ["helper"],
  ["snapshot"],
  ["log"],
];

export const HOSTILE_STRINGS: readonly string[] = [
  "\u001b[31mred\u001b[0m\u001b[2J",
  "line one\nline two",
  "x".repeat(5000),
  "../../etc/shadow",
  "$(reboot)",
  "a\u0000b",
  "\u202eevil",
  "💥",
  "",
  " ",
  "-rf",
  "https://user:pw@127.0.0.1:8006",
  "http://127.0.0.1:8006",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "https://127.0.0.1:8006/?x=1",
  "felhom@pve!agent=SECRET-IN-A-FIELD",
];
const WRONG_TYPES: readonly Json[] = [123, -1, 1.5, true, null, [], {}, ["a"], "text"];

function setAt(
  root: Record<string, Json>,
  path: readonly string[],
  value: Json | undefined,
): Record<string, Json> {
  const copy = JSON.parse(JSON.stringify(root)) as Record<string, Json>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, Json>;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else
    Object.defineProperty(node, last, {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
  return copy;
}

const dotted = (p: readonly string[]): string => p.join(".");

/** Config-file cases: every leaf with wrong types and hostile strings, required fields removed, unknown keys
 * at every level, TLS choices that exclude each other, and malformed JSON texts. */
export function configCases(
  base: Record<string, Json>,
  secret: string,
): Array<Omit<BadInput, "target">> {
  const out: Array<Omit<BadInput, "target">> = [];
  const file = (name: string, config: unknown, names: string[]) =>
    out.push({
      group: "config file",
      name,
      configText: JSON.stringify(config),
      args: [],
      names,
      usageAllowed: false,
    });
  for (const leaf of LEAVES) {
    for (const v of WRONG_TYPES) {
      if (
        (leaf.kind === "string" && typeof v === "string") ||
        (leaf.kind === "number" && typeof v === "number")
      )
        continue;
      file(`${dotted(leaf.path)} = ${JSON.stringify(v)}`, setAt(base, leaf.path, v), [
        dotted(leaf.path),
      ]);
    }
    if (leaf.kind === "string")
      for (const v of HOSTILE_STRINGS)
        file(
          `${dotted(leaf.path)} = hostile ${JSON.stringify(v.slice(0, 20))}`,
          setAt(base, leaf.path, v),
          [dotted(leaf.path)],
        );
    else
      for (const v of [0, -1, 1e9, 0.01])
        file(`${dotted(leaf.path)} = ${v}`, setAt(base, leaf.path, v), [dotted(leaf.path)]);
    if (leaf.required)
      file(`${dotted(leaf.path)} missing`, setAt(base, leaf.path, undefined), [dotted(leaf.path)]);
  }
  file("pve missing", setAt(base, ["pve"], undefined), ["pve"]);
  file("pve.tls missing", setAt(base, ["pve", "tls"], undefined), ["pve.tls"]);
  for (const obj of OBJECTS)
    for (const key of [
      "__proto__",
      "constructor",
      "secret",
      "tokenSecret",
      "\u001b[2Jkey",
      "k".repeat(300),
    ])
      file(
        `unknown key ${JSON.stringify(key.slice(0, 12))} in ${dotted(obj) || "(top level)"}`,
        setAt(base, [...obj, key], secret),
        [key.slice(0, 8).replace(String.fromCharCode(27), "")],
      );
  file("two TLS choices", setAt(base, ["pve", "tls", "insecure"], true), ["pve.tls"]);
  file("insecure: false", setAt(base, ["pve", "tls"], { insecure: false }), ["pve.tls"]);
  file("tls empty", setAt(base, ["pve", "tls"], {}), ["pve.tls"]);
  const text = (name: string, configText: string, names: string[]) =>
    out.push({ group: "config file", name, configText, args: [], names, usageAllowed: false });
  const json = ["not valid JSON", "must be a JSON object", "larger than"];
  for (const t of [
    "",
    "{",
    '{"pve":',
    "{'pve': 1}",
    '{"pve": {},}',
    "// comment\n{}",
    "\ufeff{}",
    "null",
    "[]",
    "42",
    '"str"',
    '{"a":1}{',
    "\u0000\u0001",
    `${"[".repeat(20000)}${"]".repeat(20000)}`,
    `{"pve": "${secret}"`,
  ])
    text(`malformed JSON ${JSON.stringify(t.slice(0, 16))}`, t, json);
  text("a 100 KiB config", JSON.stringify({ ...base, pad: "x".repeat(100 * 1024) }), json);
  return out;
}

/** Random single mutations (fast-check), for the longer runs. */
export function randomConfigCases(
  base: Record<string, Json>,
  n: number,
  seed: number,
): Array<Omit<BadInput, "target">> {
  const arb = fc.tuple(
    fc.constantFrom(...LEAVES),
    fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    ),
  );
  return fc.sample(arb, { numRuns: n, seed }).map(([leaf, v]) => ({
    group: "config file" as const,
    name: `${dotted(leaf.path)} = random ${JSON.stringify(v).slice(0, 24)}`,
    configText: JSON.stringify(setAt(base, leaf.path, v as Json)),
    args: [],
    names: [dotted(leaf.path)],
    usageAllowed: false,
  }));
}

export function envCases(): Array<Omit<BadInput, "target">> {
  const env = (name: string, value: string, field: string): Omit<BadInput, "target"> => ({
    group: "environment",
    name: `${name}=${JSON.stringify(value.slice(0, 20))}`,
    args: [],
    env: { [name]: value },
    names: [name, field],
    usageAllowed: false,
  });
  return [
    env("FELHOM_PVE_URL", "http://127.0.0.1:8006", "pve.url"),
    env("FELHOM_PVE_URL", "\u001b[31mhttps://x", "pve.url"),
    env("FELHOM_NODE", "no such node!", "pve.node"),
    env("FELHOM_TOKEN_ID", "nope", "pve.tokenId"),
    env("FELHOM_TLS_FINGERPRINT", "zz", "pve.tls.fingerprint256"),
    env("FELHOM_TLS_CA_FILE", "relative/ca.pem", "pve.tls.caFile"),
    env("FELHOM_HELPER_SOCKET", "relative.sock", "helper.socket"),
    env("FELHOM_SNAPSHOT_INTERVAL", "abc", "snapshot.intervalSeconds"),
    env("FELHOM_SNAPSHOT_INTERVAL", "0", "snapshot.intervalSeconds"),
    env("FELHOM_STATE_FILE", "../state.json", "snapshot.stateFile"),
  ];
}

/** CLI argument cases: hand-written ones for each kind of operand and option, and an unknown option on every
 * command. The URL in the config is a closed port, so a case that wrongly gets past validation fails with 1. */
export function cliArgCases(): Array<Omit<BadInput, "target">> {
  const arg = (args: string[], names: string[]): Omit<BadInput, "target"> => ({
    group: "cli arguments",
    name: args.map((a) => JSON.stringify(a.slice(0, 24))).join(" "),
    args,
    names,
    usageAllowed: true,
  });
  const out = [
    arg(["frobnicate"], ["frobnicate"]),
    arg(["--node"], ["--node"]),
    arg(["status", "--node"], ["--node"]),
    arg(["guest"], ["VMID"]),
    ...["abc", "-5", "1e3", "99", "1000000000", "100.5", "0x64", "\u001b[31m100"].map((v) =>
      arg(["guest", v], ["VMID", v]),
    ),
    arg(["guest", "100", "--kind", "vm"], ["--kind"]),
    arg(["restore", "101"], ["--archive"]),
    arg(
      ["restore", "101", "--archive", "../../etc/passwd", "--storage", "local", "--hostname", "x"],
      ["--archive"],
    ),
    arg(
      [
        "restore",
        "101",
        "--archive",
        "local:backup/vzdump-lxc-100-2026_01_01-00_00_00.tar.zst",
        "--storage",
        "local",
        "--hostname",
        "-x",
      ],
      ["--hostname"],
    ),
    arg(["snapshot", "100", "../x"], ["NAME"]),
    arg(["snapshot", "100", "s1", "--kind", "lxc", "-x"], ["-x"]),
    arg(["config", "100", "--kind", "lxc", "--memory", "lots"], ["--memory"]),
    arg(["config", "100", "--kind", "lxc", "--mp0", "local:5,mp=/x"], ["--mp0"]),
    arg(["backup", "100", "--storage", "local", "--mode", "hot"], ["--mode"]),
    arg(["start", "100", "--timeout", "-1"], ["--timeout"]),
    arg(["smart", "/dev/sda1"], ["DEVICE"]),
    arg(["smart", "/dev/../dev/sda"], ["DEVICE"]),
    arg(["task", "UPID:bogus"], ["UPID"]),
    arg(["usb", "mount", "../../etc", "x"], ["UUID"]),
    arg(["usb", "mount", "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab", "../etc"], ["NAME"]),
    arg(["--url", "http://x", "status"], ["pve.url"]),
    arg(["--fingerprint", "zz", "status"], ["fingerprint"]),
    arg(["--log-level", "loud", "status"], ["log.level", "--log-level"]),
  ];
  for (const c of COMMANDS)
    out.push(arg([...c.name.split(" "), "--no-such-option"], ["--no-such-option"]));
  return out;
}

export function daemonArgCases(): Array<Omit<BadInput, "target">> {
  const arg = (args: string[], names: string[]): Omit<BadInput, "target"> => ({
    group: "daemon arguments",
    name: args.join(" "),
    args,
    names,
    usageAllowed: true,
  });
  return [
    arg(["--log-level", "loud"], ["log.level", "--log-level"]),
    arg(["--bogus"], ["--bogus"]),
    arg(["--config"], ["--config"]),
    arg(["--token-file"], ["--token-file"]),
    arg(["extra-operand"], ["extra-operand"]),
  ];
}

/** Token files: too open, naming another token, empty, not a secret; the secret must never be printed. */
export function tokenCases(secret: string): Array<Omit<BadInput, "target">> {
  const tok = (
    name: string,
    text: string,
    mode: number,
    names: string[],
  ): Omit<BadInput, "target"> => ({
    group: "token file",
    name,
    args: [],
    token: { text, mode },
    names,
    usageAllowed: false,
  });
  return [
    tok("mode 0644", `felhom@pve!agent=${secret}\n`, 0o644, ["token", "chmod 600"]),
    tok("mode 0660", `felhom@pve!agent=${secret}\n`, 0o660, ["token", "chmod 600"]),
    tok("another token's id", `other@pve!x=${secret}\n`, 0o600, ["token"]),
    tok("empty", "", 0o600, ["token"]),
    tok("a secret with spaces and control characters", `${secret} \u001b[2J more\n`, 0o600, [
      "token",
    ]),
    tok("two lines", `${secret}\n${secret}\n`, 0o600, ["token"]),
    tok("binary", "\u0000\u0001\u0002", 0o600, ["token"]),
  ];
}
