// The agent's configuration, declared once as zod schemas: every field, its default, and the rule that
// explains it when it is wrong (errors are worded by config.ts from these).
import { z } from "zod";
import { BlockDevice } from "@felhom/helper-protocol";
import { FINGERPRINT, matches, NODE, TOKEN_ID, type TextGrammar } from "@felhom/grammar";

/** A string of one of the project's value grammars, with the config's own wording when it is not. */
const grammar = (g: TextGrammar, message: string) =>
  z.string().refine((v) => matches(g, v), { message });

const absolutePath = (what: string, max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((p) => p.startsWith("/") && !p.split("/").includes(".."), {
      message: `must be an absolute path to ${what} (no "..")`,
    });

export const HttpsUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === "https:" && u.username === "" && u.password === "" && u.search === "";
      } catch {
        return false;
      }
    },
    {
      message:
        "must be an https:// URL (for example https://127.0.0.1:8006), with no user or query",
    },
  );

export const TlsConfig = z
  .strictObject({
    fingerprint256: grammar(
      FINGERPRINT,
      "must be a SHA-256 fingerprint (AB:CD:… 32 hex pairs)",
    ).optional(),
    caFile: absolutePath("a PEM CA certificate", 4096).optional(),
    insecure: z
      .literal(true, { message: "may only be true (it turns certificate checks off)" })
      .optional(),
  })
  .refine(
    (t) => [t.fingerprint256, t.caFile, t.insecure].filter((v) => v !== undefined).length === 1,
    {
      message: "set exactly one of fingerprint256, caFile, insecure",
    },
  );

export const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
export type LogLevel = z.infer<typeof LogLevel>;

export const AgentConfigSchema = z.strictObject({
  pve: z.strictObject({
    url: HttpsUrl,
    node: grammar(NODE, "must be a PVE node name (a DNS label)"),
    tokenId: grammar(TOKEN_ID, "must be an API token id USER@REALM!TOKENID"),
    tls: TlsConfig,
  }),
  helper: z
    .strictObject({
      // sun_path holds 108 bytes including the terminating NUL.
      socket: absolutePath("the helper's Unix socket", 107).default(
        "/run/felhom-helper/helper.sock",
      ),
    })
    .prefault({}),
  snapshot: z
    .strictObject({
      intervalSeconds: z.number().min(0.1).max(86_400).default(60),
      stateFile: absolutePath("the state file", 4096).default("/run/felhom/state.json"),
      /** Block devices for SMART; when absent, the disks PVE lists for the node. */
      disks: z
        .array(
          z.string().refine((s) => BlockDevice.safeParse(s).success, {
            message: "must be a whole-disk block device /dev/sdX or /dev/nvmeNnM",
          }),
        )
        .max(64)
        .optional(),
    })
    .prefault({}),
  log: z.strictObject({ level: LogLevel.default("info") }).prefault({}),
});

/** The validated configuration, with defaults filled in. */
export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type TlsSetting = AgentConfig["pve"]["tls"];
