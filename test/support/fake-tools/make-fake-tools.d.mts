// Types of make-fake-tools.mjs (plain JavaScript so that built code, such as the demo, can use it too).
export type FakeToolName = "pct" | "systemctl" | "smartctl" | "sensors" | "lsblk";
export interface FakeRule {
  /** Every word must appear in the tool's argv for this rule to answer. */
  when?: string[];
  stdout?: string;
  /** Absolute path of a file whose text is printed on stdout. */
  stdoutFile?: string;
  stderr?: string;
  exitCode?: number;
  delayMs?: number;
  /** Never exit (for timeout tests). */
  hang?: boolean;
}
export type FakeRules = Partial<Record<FakeToolName, FakeRule[]>>;
export interface FakeCall {
  tool: FakeToolName;
  argv: string[];
  env: Record<string, string>;
  stdin: string;
  pid: number;
  /** Open file descriptors of the tool process and what they refer to (readlink of /proc/self/fd/N). */
  fds: Record<string, string>;
}
export interface FakeTools {
  dir: string;
  tools: Record<FakeToolName, string>;
  setRules(rules: FakeRules): Promise<void>;
  calls(): Promise<FakeCall[]>;
  clearCalls(): Promise<void>;
}
export declare const FAKE_TOOL_NAMES: readonly FakeToolName[];
export declare function fixturePath(name: string): string;
export declare function fixture(name: string): string;
export declare function makeFakeTools(
  dir: string,
  options?: { rules?: FakeRules },
): Promise<FakeTools>;
export declare const OPEN_POLICY: Record<string, unknown>;
export declare function makeFakeHost(
  root: string,
  devDir: string,
  options?: { policy?: unknown },
): Promise<{ sysDir: string; pveDir: string; goldenPolicy: string }>;
