// Writes the host snapshot atomically: a private temp file in the same directory, fsync, rename over the old
// file. A reader (or a crash, or SIGTERM) sees the old snapshot or the new one, never half of one.
import { randomBytes } from "node:crypto";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AgentError } from "./errors.js";

const TEMP_SUFFIX = ".tmp";

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Serialises `data` as JSON and puts it at `path` in one atomic step. Returns the bytes written. */
export async function writeStateFile(path: string, data: unknown): Promise<number> {
  const body = Buffer.from(`${JSON.stringify(data, null, 2)}\n`, "utf8");
  const dir = dirname(path);
  const temp = join(
    dir,
    `${tempPrefix(path)}${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`,
  );
  try {
    const fh = await open(temp, "wx", 0o640);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new AgentError("AGENT_STATE_WRITE_FAILED", `state file ${path}: cannot write (${code})`, {
      cause: err,
    });
  }
  await syncDir(dir);
  return body.length;
}

/** Removes temp files an earlier, killed run of the agent may have left next to the state file. */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    await unlink(join(dirname(path), name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directory fsync is best effort (tmpfs and some filesystems refuse it); the rename is atomic regardless.
  }
}
