// Reads the API token secret from the systemd credential or a token file, refusing a file that group or others
// may read or write. The secret is never part of an error message.
import { closeSync, fstatSync, openSync, readSync, constants } from "node:fs";
import { join } from "node:path";
import { AgentError } from "./errors.js";

/** The credential name the unit passes with `LoadCredential=pve-token:/etc/felhom/pve-token`. */
export const CREDENTIAL_NAME = "pve-token";
/** Where deploy/install.sh puts the token; the CLI falls back to it when run by hand (as root). */
export const DEFAULT_TOKEN_FILE = "/etc/felhom/pve-token";
const MAX_TOKEN_BYTES = 4096;
/** What a PVE token secret can look like (PVE issues UUIDs); printable ASCII, no blanks. */
const SECRET = /^[\x21-\x7e]{1,512}$/;

export interface TokenSourceOptions {
  /** `--token-file FILE`: wins over the credential. */
  tokenFile?: string;
  /** `$CREDENTIALS_DIRECTORY`, set by systemd for units with LoadCredential=. */
  credentialsDirectory?: string;
  /** A last-resort file to try when neither is given (the CLI passes DEFAULT_TOKEN_FILE). */
  fallbackFile?: string;
  /** The configured token id; a file in the `ID=SECRET` form must name this id. */
  tokenId: string;
}

export interface TokenSecret {
  /** The secret itself: handed straight to the API client, never logged. */
  secret: string;
  /** Where it came from (a path), for the start-up summary. */
  source: string;
}

/** Finds and reads the secret. Throws AgentError(AGENT_TOKEN_INVALID) with a one-line reason. */
export function readTokenSecret(opts: TokenSourceOptions): TokenSecret {
  const path = pickSource(opts);
  const text = readPrivateFile(path);
  const line = text.replace(/\r?\n$/, "");
  if (line.includes("\n") || line.includes("\r")) {
    throw new AgentError("AGENT_TOKEN_INVALID", `token: ${path}: must hold one line`);
  }
  let secret = line.trim();
  // `USER@REALM!TOKENID=SECRET` (what `pveum user token add` prints as full-tokenid and value) is accepted too.
  const eq = secret.lastIndexOf("=");
  if (eq > 0 && secret.slice(0, eq).includes("!")) {
    const id = secret.slice(0, eq);
    if (id !== opts.tokenId) {
      throw new AgentError(
        "AGENT_TOKEN_INVALID",
        `token: ${path}: the file names a different token id than pve.tokenId (${opts.tokenId})`,
      );
    }
    secret = secret.slice(eq + 1);
  }
  if (!SECRET.test(secret)) {
    throw new AgentError(
      "AGENT_TOKEN_INVALID",
      `token: ${path}: not a token secret (expected one line of printable characters)`,
    );
  }
  return { secret, source: path };
}

function pickSource(opts: TokenSourceOptions): string {
  if (opts.tokenFile !== undefined) return opts.tokenFile;
  if (opts.credentialsDirectory !== undefined && opts.credentialsDirectory !== "") {
    return join(opts.credentialsDirectory, CREDENTIAL_NAME);
  }
  if (opts.fallbackFile !== undefined) return opts.fallbackFile;
  throw new AgentError(
    "AGENT_TOKEN_INVALID",
    "token: no token secret: run under systemd with LoadCredential=pve-token:FILE, or pass --token-file FILE",
  );
}

/** Reads a small file that only its owner may read or write; checked on the open descriptor (no race). */
function readPrivateFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new AgentError("AGENT_TOKEN_INVALID", `token: cannot open ${path}: ${code}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new AgentError("AGENT_TOKEN_INVALID", `token: ${path}: not a regular file`);
    }
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
      throw new AgentError(
        "AGENT_TOKEN_INVALID",
        `token: ${path} is readable or writable by group or others (mode ${mode}); run: chmod 600 ${path}`,
      );
    }
    if (st.size > MAX_TOKEN_BYTES) {
      throw new AgentError(
        "AGENT_TOKEN_INVALID",
        `token: ${path}: larger than ${MAX_TOKEN_BYTES} bytes`,
      );
    }
    const buf = Buffer.alloc(MAX_TOKEN_BYTES + 1);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > MAX_TOKEN_BYTES) {
        throw new AgentError(
          "AGENT_TOKEN_INVALID",
          `token: ${path}: larger than ${MAX_TOKEN_BYTES} bytes`,
        );
      }
    }
    const text = buf.subarray(0, len).toString("utf8");
    buf.fill(0);
    return text;
  } finally {
    closeSync(fd);
  }
}
