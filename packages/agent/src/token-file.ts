// Reads the API token secret from the systemd credential or a token file, refusing a file that group or others
// may read or write (or, for a credential, a directory that is not private to this service). The secret is never
// part of an error message.
import { closeSync, fstatSync, openSync, readSync, constants, type Stats } from "node:fs";
import { dirname, join } from "node:path";
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
  const { path, credential } = pickSource(opts);
  const text = credential ? readCredential(path) : readPrivateFile(path, ownerOnly);
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

function pickSource(opts: TokenSourceOptions): { path: string; credential: boolean } {
  if (opts.tokenFile !== undefined) return { path: opts.tokenFile, credential: false };
  if (opts.credentialsDirectory !== undefined && opts.credentialsDirectory !== "") {
    return { path: join(opts.credentialsDirectory, CREDENTIAL_NAME), credential: true };
  }
  if (opts.fallbackFile !== undefined) return { path: opts.fallbackFile, credential: false };
  throw new AgentError(
    "AGENT_TOKEN_INVALID",
    "token: no token secret: run under systemd with LoadCredential=pve-token:FILE, or pass --token-file FILE",
  );
}

/** An ordinary token file (--token-file, the CLI's fallback): only its owner may read or write it. */
function ownerOnly(path: string, st: Stats): void {
  if ((st.mode & 0o077) !== 0) {
    throw new AgentError(
      "AGENT_TOKEN_INVALID",
      `token: ${path} is readable or writable by group or others (mode ${octal(st)}); run: chmod 600 ${path}`,
    );
  }
}

/**
 * A systemd credential. systemd 257 mounts a read-only file system private to the unit on
 * $CREDENTIALS_DIRECTORY (directory 0500, or 0550 where the group bits are the mask of an ACL that names the
 * service user) and writes each credential root-owned 0400 plus that ACL, which `stat` shows as 0440; where the
 * file system has no ACLs it chowns the directory and files to the service user instead. So the shape accepted:
 * owned by root or this process's user, nothing for others, nothing writable but by the owner, and group bits
 * only for root's group or this process's own group. A loose --token-file is still refused by ownerOnly.
 */
function readCredential(path: string): string {
  const dir = dirname(path);
  let dfd: number;
  try {
    dfd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new AgentError("AGENT_TOKEN_INVALID", `token: cannot open ${dir}: ${code}`);
  }
  try {
    const st = fstatSync(dfd);
    const why = credentialShapeFault(st);
    if (why !== undefined) {
      throw new AgentError(
        "AGENT_TOKEN_INVALID",
        `token: credentials directory ${dir} is not private to this service (${why}, mode ${octal(st)}, owner ${st.uid}:${st.gid})`,
      );
    }
  } finally {
    closeSync(dfd);
  }
  return readPrivateFile(
    path,
    (p, st) => {
      const why = credentialShapeFault(st);
      if (why !== undefined) {
        throw new AgentError(
          "AGENT_TOKEN_INVALID",
          `token: credential ${p} is not private to this service (${why}, mode ${octal(st)}, owner ${st.uid}:${st.gid})`,
        );
      }
    },
    constants.O_NOFOLLOW,
  );
}

/** Why a credential file or directory does not have the shape systemd gives it, or undefined when it does. */
function credentialShapeFault(st: Stats): string | undefined {
  const euid = process.geteuid?.() ?? 0;
  const egid = process.getegid?.() ?? 0;
  if (st.uid !== 0 && st.uid !== euid) return "owned by another user";
  if ((st.mode & 0o007) !== 0) return "others have access";
  if ((st.mode & 0o020) !== 0) return "group may write";
  if ((st.mode & 0o070) !== 0 && st.gid !== 0 && st.gid !== egid) return "another group has access";
  return undefined;
}

function octal(st: Stats): string {
  return (st.mode & 0o777).toString(8).padStart(4, "0");
}

/** Reads a small regular file whose mode `check` accepts; checked on the open descriptor (no race). */
function readPrivateFile(
  path: string,
  check: (path: string, st: Stats) => void,
  extraFlags = 0,
): string {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK | extraFlags,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new AgentError("AGENT_TOKEN_INVALID", `token: cannot open ${path}: ${code}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new AgentError("AGENT_TOKEN_INVALID", `token: ${path}: not a regular file`);
    }
    check(path, st);
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
