// PVE's UPID: "UPID:node:PID:PSTART:STARTTIME:type:id:user:" (pve-common src/PVE/UPID.pm encode/decode).

export interface UpidFields {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

export function encodeUpid(f: UpidFields): string {
  return `UPID:${f.node}:${hex8(f.pid)}:${hex8(f.pstart)}:${hex8(f.starttime)}:${f.type}:${f.id}:${f.user}:`;
}

const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

/** decode with $noerr: undefined for anything that is not a PVE UPID. */
export function decodeUpid(upid: string): UpidFields | undefined {
  const m = UPID_RE.exec(upid);
  if (!m) return undefined;
  return {
    node: m[1] ?? "",
    pid: parseInt(m[2] ?? "0", 16),
    pstart: parseInt(m[3] ?? "0", 16),
    starttime: parseInt(m[4] ?? "0", 16),
    type: m[5] ?? "",
    id: m[6] ?? "",
    user: m[7] ?? "",
  };
}

/** read_status on the last log line: "OK", "WARNINGS: n", the error text, or "unexpected status". */
export function exitStatusOf(lastLine: string | undefined): string {
  if (lastLine === undefined) return "unexpected status";
  if (lastLine === "TASK OK") return "OK";
  const err = /^TASK ERROR: (.+)$/.exec(lastLine);
  if (err) return err[1] ?? "";
  const warn = /^TASK (WARNINGS: \d+)$/.exec(lastLine);
  if (warn) return warn[1] ?? "";
  return "unexpected status";
}

/** normalize_status_type: ok, warning, error or unknown. */
export function statusType(status: string | undefined): "ok" | "warning" | "error" | "unknown" {
  if (!status) return "unknown";
  if (status === "OK") return "ok";
  if (/^WARNINGS: \d+$/.test(status)) return "warning";
  if (status === "unexpected status") return "unknown";
  return "error";
}
