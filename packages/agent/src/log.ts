// The agent's pino logger: JSON lines for journald, the Authorization header and any secret field redacted by
// configuration, and every known secret value scrubbed from the finished line as a second guard.
import pinoModule from "pino";
import type { DestinationStream, Logger } from "pino";
import type { LogLevel } from "./config-schema.js";
// pino is CommonJS: a default import, never Node's named-export detection (issue 13).
const { pino } = pinoModule;

export type { Logger };

/** Fields that can carry credentials, wherever pve-client, undici or our own code might log them. */
export const REDACT_PATHS: readonly string[] = [
  "authorization",
  "Authorization",
  "headers.authorization",
  "headers.Authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  "*.*.headers.authorization",
  "*.*.headers.Authorization",
  "*.authorization",
  "*.Authorization",
  "secret",
  "*.secret",
  "*.*.secret",
  "token.secret",
  "tokenSecret",
  "*.tokenSecret",
  "password",
  "*.password",
];

export const CENSOR = "[redacted]";

/** Values that must never reach the log stream; filled in once the token has been read. */
export class SecretScrubber {
  #needles: string[] = [];

  /** Registers a secret (and its JSON-escaped form). Short values are refused: they would match by chance. */
  add(secret: string): void {
    if (secret.length < 6) return;
    for (const s of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (!this.#needles.includes(s)) this.#needles.push(s);
    }
  }

  scrub(line: string): string {
    let out = line;
    for (const n of this.#needles) if (out.includes(n)) out = out.split(n).join(CENSOR);
    return out;
  }
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go: stdout for the daemon (journald), stderr for the CLI. Default: stdout, synchronous. */
  destination?: DestinationStream;
  /** Added to every line as `name`. */
  name?: string;
  scrubber?: SecretScrubber;
}

/** Builds the logger. Lines are written synchronously, so nothing is lost when the process exits. */
export function createLogger(opts: LoggerOptions): Logger {
  const scrubber = opts.scrubber ?? new SecretScrubber();
  return pino(
    {
      level: opts.level,
      name: opts.name ?? "felhom-agent",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      hooks: { streamWrite: (s: string) => scrubber.scrub(s) },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
