// Where the CLI writes: stdout for results, stderr for errors, progress and logs. Injected so tests can run the
// CLI in process and read exactly what a user would see.

export interface OutStream {
  write(chunk: string): unknown;
  /** Set when the stream is a terminal: enables the rewritten progress line. */
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the bin; tests may abort it themselves. */
  signal?: AbortSignal;
}

/** The real process streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    ...(signal ? { signal } : {}),
  };
}

/** An in-memory io for tests: everything written is kept. */
export function memoryIo(
  env: NodeJS.ProcessEnv = {},
  signal?: AbortSignal,
): CliIo & {
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    env,
    ...(signal ? { signal } : {}),
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
