// Reads a driver child's stdout one line at a time, in order, for scenarios that talk to a child process by lines:
// nextLine() resolves with the next line, or rejects once the child has exited (with the tail of its stderr).
import type { ChildProcessByStdio } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

export function childLines(
  child: ChildProcessByStdio<Writable, Readable, Readable>,
  name: string,
): () => Promise<string> {
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("close", (code) =>
      reject(new Error(`${name} exited ${code}: ${stderr.slice(-1500)}`)),
    ),
  );
  exited.catch(() => undefined);
  return () =>
    Promise.race([
      new Promise<string>((resolve) =>
        queue.length ? resolve(queue.shift() as string) : waiters.push(resolve),
      ),
      exited,
    ]);
}
