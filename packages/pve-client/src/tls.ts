// How the client trusts PVE's certificate: a CA, a pinned SHA-256 fingerprint (checked on every connection,
// with TLS session resumption off so no connection skips the check), or an explicit insecure mode. It never
// touches the process-wide certificate-verification switch (the NODE_TLS_… environment variable).
import { readFileSync } from "node:fs";
import type { TLSSocket } from "node:tls";
import { FINGERPRINT, matches } from "@felhom/grammar";
import { PveArgumentError, PveTlsPinMismatchError } from "./errors.js";
import type { Logger } from "./logger.js";
import { Agent, buildConnector } from "./undici-parts.js";
import type { ConnectOptions, Connector } from "./undici-parts.js";

export type TlsOptions =
  /** Trust this CA (PEM), e.g. the cluster's /etc/pve/pve-root-ca.pem. Hostname is verified. */
  | { ca: string | Buffer }
  /** Read the CA from a file once, when the client is built. */
  | { caFile: string }
  /** Pin the server certificate's SHA-256 fingerprint, `AB:CD:…` as `pvenode cert info` prints it. */
  | { fingerprint256: string }
  /** Accept any certificate. Logs a warning. For labs only. */
  | { insecure: true };

/** Normalises a SHA-256 fingerprint to upper-case hex pairs separated by colons (the grammar's FINGERPRINT). */
export function normalizeFingerprint(value: string): string {
  const hex = value.replace(/[:\s]/g, "").toUpperCase();
  const pairs = hex.match(/../g)?.join(":") ?? hex;
  if (hex.length !== 64 || !matches(FINGERPRINT, pairs)) {
    throw new PveArgumentError("tls.fingerprint256", "expected 32 hex bytes (SHA-256)");
  }
  return pairs;
}

/**
 * Wraps a connector so every new TLS socket must present the pinned certificate. Fails closed: a socket
 * whose certificate cannot be read (as on a resumed session) is refused too.
 */
export function pinningConnector(
  base: Connector,
  fingerprint256: string,
  logger: Logger,
): Connector {
  const pin = normalizeFingerprint(fingerprint256);
  return (opts: ConnectOptions, callback) => {
    base(opts, (err, socket) => {
      if (err || !socket) {
        callback(err ?? new Error("connect failed"), null);
        return;
      }
      const tlsSocket = socket as TLSSocket;
      const cert =
        typeof tlsSocket.getPeerCertificate === "function"
          ? tlsSocket.getPeerCertificate()
          : undefined;
      const actual =
        cert && typeof cert.fingerprint256 === "string" ? cert.fingerprint256 : undefined;
      if (actual === undefined || actual.toUpperCase() !== pin) {
        socket.destroy();
        logger.warn(
          { host: opts.hostname, expected: pin, actual: actual ?? null },
          "pve tls pin mismatch",
        );
        callback(new PveTlsPinMismatchError(opts.hostname, pin, actual), null);
        return;
      }
      logger.debug(
        {
          host: opts.hostname,
          resumed:
            typeof tlsSocket.isSessionReused === "function" ? tlsSocket.isSessionReused() : false,
        },
        "pve tls certificate matches pin",
      );
      callback(null, socket);
    });
  };
}

export interface DispatcherOptions {
  connectMs: number;
  /** Idle keep-alive time; below pveproxy's own so a reused socket is rarely one the server is closing. */
  keepAliveMs: number;
  connections: number;
  logger: Logger;
}

/** The client's one keep-alive undici Agent, with the connector the TLS option asks for. */
export function createAgent(tls: TlsOptions, options: DispatcherOptions): Agent {
  let connect: Connector;
  if ("fingerprint256" in tls) {
    // rejectUnauthorized: false because PVE's certificates are self-signed; the pin replaces chain checks.
    // maxCachedSessions: 0 because a resumed session shows no certificate and would bypass the pin.
    const base = buildConnector({
      rejectUnauthorized: false,
      maxCachedSessions: 0,
      timeout: options.connectMs,
    });
    connect = pinningConnector(base, tls.fingerprint256, options.logger);
  } else if ("insecure" in tls) {
    if (tls.insecure !== true) throw new PveArgumentError("tls", "insecure must be true");
    options.logger.warn(
      {},
      "pve tls verification disabled (insecure: true): any certificate is accepted",
    );
    connect = buildConnector({ rejectUnauthorized: false, timeout: options.connectMs });
  } else {
    const ca = "caFile" in tls ? readFileSync(tls.caFile) : tls.ca;
    connect = buildConnector({ ca, timeout: options.connectMs });
  }
  return new Agent({
    connect,
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: options.keepAliveMs,
  });
}
