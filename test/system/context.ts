// What every phase of the system test shares: the booted container, the report, and small readers of systemd's
// view of the units (properties, main PIDs, journal lines) inside it.
import { until } from "./container.js";
import type { Container, Run } from "./container.js";
import type { Report } from "./report.js";

export const AGENT = "felhom-agent.service";
export const HELPER = "felhom-root-helper.service";
export const SOCKET = "felhom-root-helper.socket";

export interface Sim {
  fingerprint: string;
  token: string;
  node: string;
}

export class Ctx {
  /** Set once the simulator runs. */
  sim: Sim | undefined;

  readonly c: Container;
  readonly r: Report;

  constructor(c: Container, r: Report) {
    this.c = c;
    this.r = r;
  }

  sh(script: string, timeoutMs?: number): Run {
    return this.c.sh(script, timeoutMs);
  }

  prop(unit: string, name: string): string {
    return this.sh(`systemctl show -P ${name} ${unit}`).out.trim();
  }

  active(unit: string): string {
    return this.sh(`systemctl is-active ${unit}`).out.trim();
  }

  mainPid(unit: string): number {
    return Number(this.prop(unit, "MainPID"));
  }

  /** Waits until the unit is active with a main PID (other than `not`), and returns that PID. */
  async activePid(unit: string, not = 0, tries = 120): Promise<number> {
    return until(
      `${unit} active${not ? ` with a PID other than ${not}` : ""}`,
      () => {
        const pid = this.mainPid(unit);
        return this.active(unit) === "active" && pid > 0 && pid !== not ? pid : undefined;
      },
      { tries, everyMs: 500 },
    );
  }

  /** The unit's journal, message text only. */
  journal(unit: string): string {
    return this.sh(`journalctl -q --no-pager -o cat -u ${unit}`).out;
  }

  /** Lines of /proc/PID/status, as a map. */
  procStatus(pid: number): Map<string, string> {
    const text = this.sh(`cat /proc/${pid}/status`).out;
    return new Map(
      text
        .split("\n")
        .filter((l) => l.includes(":"))
        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
  }

  rssKiB(pid: number): number {
    return Number.parseInt(this.procStatus(pid).get("VmRSS") ?? "0", 10);
  }

  /** Milliseconds of a command run inside, timed inside (no nsenter overhead). */
  timeMs(cmd: string): { ms: number; code: number } {
    const r = this.sh(
      `s=$(date +%s%N); ${cmd} >/dev/null 2>&1; c=$?; e=$(date +%s%N); echo "$(( (e - s) / 1000 )) $c"`,
    );
    const [us, code] = r.out.trim().split(" ").map(Number);
    return { ms: (us ?? 0) / 1000, code: code ?? -1 };
  }
}
