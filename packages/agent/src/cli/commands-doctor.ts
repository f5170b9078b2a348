// `felhom doctor`: runs the daemon's start-up checks (config, token, TLS, privileges, the root helper) and prints
// each with pass/fail and a fix hint.
import { runChecks } from "../checks.js";
import type { CheckResult } from "../checks.js";
import { describeError, exitCodeOf } from "../errors.js";
import type { CommandDef } from "./command.js";

const MARK: Record<CheckResult["status"], string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };

export const DOCTOR: CommandDef = {
  name: "doctor",
  summary:
    "check config, token, TLS, privileges, the root helper and the state directory, with fix hints",
  operands: [],
  options: {},
  ops: [],
  async run(ctx) {
    let session;
    try {
      session = await ctx.session();
    } catch (err) {
      const result: CheckResult = {
        id: "config",
        title: "config and token",
        status: "fail",
        detail: describeError(err),
        hint: "see deploy/agent.example.json; the token file must be mode 0600",
      };
      return {
        data: { ok: false, results: [result] },
        text: `✗ ${result.title}: ${result.detail}\n    fix: ${result.hint}`,
        exitCode: exitCodeOf(err),
        error: "doctor: the configuration is not usable",
      };
    }
    const report = await runChecks(session, { signal: ctx.signal });
    const lines = [
      `✓ config: ${session.sources.config} (node ${session.config.pve.node}, ${session.config.pve.url})`,
      `✓ token: ${session.config.pve.tokenId} from ${session.sources.token}`,
    ];
    for (const r of report.results) {
      lines.push(`${MARK[r.status]} ${r.title}: ${r.detail}`);
      if (r.hint !== undefined && r.status !== "pass") lines.push(`    fix: ${r.hint}`);
    }
    const failed = report.results.filter((r) => r.status === "fail").length;
    lines.push(failed === 0 ? "all checks passed" : `${failed} check(s) failed`);
    return {
      data: {
        ok: report.ok,
        results: report.results,
        version: report.version,
        access: report.access,
        helper: report.helper,
      },
      text: lines.join("\n"),
      ...(failed > 0 ? { exitCode: 1, error: `doctor: ${failed} check(s) failed` } : {}),
    };
  },
};
