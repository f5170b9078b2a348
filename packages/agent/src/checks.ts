// The start-up checks, shared by the daemon (which refuses to run unless they pass) and `felhom doctor` (which
// prints each with pass/fail and a fix hint): TLS, /version with the token, privileges per routing-table
// operation, the helper handshake, and the state file's directory.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import { isHelperError } from "@felhom/helper-protocol";
import type { ResultOf } from "@felhom/helper-protocol";
import { hasPveCode, isPveError } from "@felhom/pve-client";
import type { AccessReport, PveTlsPinMismatchError, PveVersion } from "@felhom/pve-client";
import { oneLine } from "./errors.js";
import { helperHint } from "./helper-hints.js";
import type { Session } from "./session.js";

export type CheckId = "config" | "tls" | "token" | "privileges" | "helper" | "state";
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it, for failures and warnings. */
  hint?: string;
}

export interface CheckReport {
  ok: boolean;
  results: CheckResult[];
  version?: PveVersion;
  access?: AccessReport;
  helper?: ResultOf<"hello">;
}

const TLS_HINT = {
  pin: "the certificate's SHA-256 fingerprint differs from pve.tls.fingerprint256; on the host run: pvenode cert info --output-format json (field fingerprint)",
  chain:
    "PVE's certificate is self-signed: pin it with pve.tls.fingerprint256, or trust its CA with pve.tls.caFile (/etc/pve/pve-root-ca.pem)",
  connect:
    "is pveproxy running (systemctl status pveproxy)? is pve.url right (https://127.0.0.1:8006 on the host)?",
};

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ERR_TLS|SSL/;

function pinError(err: unknown): PveTlsPinMismatchError | undefined {
  if (hasPveCode(err, "PVE_TLS_PIN_MISMATCH")) return err;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return hasPveCode(cause, "PVE_TLS_PIN_MISMATCH") ? cause : undefined;
}

/** Runs every check; never throws. `stateFile: false` leaves out the state-directory check (the CLI). */
export async function runChecks(
  session: Session,
  opts: { stateFile?: boolean; signal?: AbortSignal } = {},
): Promise<CheckReport> {
  const { client, config } = session;
  const results: CheckResult[] = [];
  const report: CheckReport = { ok: false, results };
  const call = { timeoutMs: 15_000, ...(opts.signal ? { signal: opts.signal } : {}) };
  const tlsMode =
    config.pve.tls.fingerprint256 !== undefined
      ? "certificate matches the pinned SHA-256 fingerprint"
      : config.pve.tls.caFile !== undefined
        ? `certificate verified against ${config.pve.tls.caFile}`
        : "certificate NOT verified (pve.tls.insecure)";

  // 1 + 2: one /version call proves the TLS connection and the token.
  try {
    report.version = await client.version(call);
    results.push({
      id: "tls",
      title: "TLS",
      status: config.pve.tls.insecure === true ? "warn" : "pass",
      detail: `${config.pve.url}: ${tlsMode}`,
      ...(config.pve.tls.insecure === true ? { hint: TLS_HINT.chain } : {}),
    });
    results.push({
      id: "token",
      title: "token and /version",
      status: "pass",
      detail: `PVE ${report.version.version} (release ${report.version.release}) accepts ${config.pve.tokenId}`,
    });
  } catch (err) {
    const pin = pinError(err);
    if (hasPveCode(err, "PVE_AUTH")) {
      results.push({
        id: "tls",
        title: "TLS",
        status: "pass",
        detail: `${config.pve.url}: ${tlsMode}`,
      });
      results.push({
        id: "token",
        title: "token and /version",
        status: "fail",
        detail: `PVE refused the token ${config.pve.tokenId} (401)`,
        hint: "check pve.tokenId and the secret in the token file; list tokens with: pveum user token list USER",
      });
    } else if (pin !== undefined) {
      results.push({
        id: "tls",
        title: "TLS",
        status: "fail",
        detail: `${config.pve.url}: presented ${pin.actual ?? "no certificate"}, pinned ${pin.expected}`,
        hint: TLS_HINT.pin,
      });
    } else if (hasPveCode(err, "PVE_TRANSPORT")) {
      const code = err.transportCode ?? "";
      const cert = CERT_CODES.test(code) || CERT_CODES.test(err.message);
      results.push({
        id: "tls",
        title: "TLS",
        status: "fail",
        detail: `cannot ${cert ? "verify" : "connect to"} ${config.pve.url}: ${code || oneLine(err.message, 160)}`,
        hint: cert ? TLS_HINT.chain : TLS_HINT.connect,
      });
    } else {
      results.push({
        id: "tls",
        title: "TLS",
        status: "pass",
        detail: `${config.pve.url}: ${tlsMode}`,
      });
      results.push({
        id: "token",
        title: "token and /version",
        status: "fail",
        detail: describe(err),
        hint: "see the PVE task and syslog on the host (journalctl -u pveproxy)",
      });
    }
  }
  const tokenOk = results.some((r) => r.id === "token" && r.status === "pass");
  if (!results.some((r) => r.id === "token")) {
    results.push({ id: "token", title: "token and /version", status: "skip", detail: "needs TLS" });
  }

  // 3: privileges per routing-table operation.
  if (tokenOk) {
    try {
      const accessReport = await client.checkAccess(config.pve.node, call);
      report.access = accessReport;
      const denied = accessReport.operations.filter((o) => !o.allowed);
      const total = accessReport.operations.length;
      results.push(
        denied.length === 0
          ? {
              id: "privileges",
              title: "privileges",
              status: "pass",
              detail: `all ${total} API operations permitted on node ${config.pve.node}`,
            }
          : {
              id: "privileges",
              title: "privileges",
              status: "fail",
              detail: `${denied.length}/${total} operations lack privileges: ${denied
                .map(
                  (o) =>
                    `${o.label} (${o.missing.map((m) => `${m.anyOf.join("|")} on ${m.path}`).join(", ")})`,
                )
                .join("; ")}`,
              hint: "grant the token the FelhomAgent role on / (see README: Install on a Proxmox VE host); privilege-separated tokens need the ACL on the token itself",
            },
      );
    } catch (err) {
      results.push({
        id: "privileges",
        title: "privileges",
        status: "fail",
        detail: describe(err),
      });
    }
  } else {
    results.push({
      id: "privileges",
      title: "privileges",
      status: "skip",
      detail: "needs the token",
    });
  }

  // 4: the root helper's handshake.
  try {
    const client = await session.helper.client();
    const info = client.info;
    if (info !== undefined) report.helper = info;
    results.push({
      id: "helper",
      title: "root helper",
      status: "pass",
      detail: `${config.helper.socket}: ${info?.protocol ?? "?"} v${info?.version ?? "?"}, ${info?.methods.length ?? 0} methods`,
    });
  } catch (err) {
    results.push({
      id: "helper",
      title: "root helper",
      status: "fail",
      detail: `${config.helper.socket}: ${describe(err)}`,
      hint:
        helperHint(err) ??
        "is felhom-root-helper.socket active (systemctl status felhom-root-helper.socket)? is the agent's user in group felhom? is helper.socket right?",
    });
  }

  // 5: the state file's directory (the daemon writes snapshots there).
  if (opts.stateFile !== false) {
    const dir = dirname(config.snapshot.stateFile);
    try {
      await access(dir, constants.W_OK);
      results.push({
        id: "state",
        title: "state directory",
        status: "pass",
        detail: `${dir} is writable`,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      results.push({
        id: "state",
        title: "state directory",
        status: "fail",
        detail: `${dir}: ${code}`,
        hint: "the unit's RuntimeDirectory=felhom creates /run/felhom; or set snapshot.stateFile",
      });
    }
  }

  report.ok = results.every((r) => r.status === "pass" || r.status === "warn");
  return report;
}

function describe(err: unknown): string {
  if (isPveError(err) || isHelperError(err)) return oneLine(`${err.code}: ${err.message}`, 300);
  return oneLine(err instanceof Error ? err.message : String(err), 300);
}

/** The daemon's one-line reason for refusing to start: the first failed check. */
export function firstFailure(report: CheckReport): string | undefined {
  const failed = report.results.find((r) => r.status === "fail");
  return failed === undefined ? undefined : `${failed.title}: ${failed.detail}`;
}
