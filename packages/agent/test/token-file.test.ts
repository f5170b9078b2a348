// The token secret: read from the systemd credential or --token-file, refused when group or others may read or
// write it, and never part of an error message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTokenSecret } from "../src/token-file.js";
import { AgentError } from "../src/errors.js";

const SECRET = "5f1c7f7e-7a1b-4c9e-9d57-0d3c1b2a9f11";
const ID = "felhom@pve!agent";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "felhom-token-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tokenError(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AgentError);
    assert.equal(err.code, "AGENT_TOKEN_INVALID");
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes("\n"));
    assert.ok(!err.message.includes(SECRET), "the secret is never in an error");
    return err;
  }
  assert.fail("expected a token error");
}

test("token file – a 0600 file with the bare secret or ID=SECRET is read", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "token");
    await writeFile(file, `${SECRET}\n`, { mode: 0o600 });
    assert.deepEqual(readTokenSecret({ tokenFile: file, tokenId: ID }), {
      secret: SECRET,
      source: file,
    });
    await writeFile(file, `${ID}=${SECRET}`, { mode: 0o600 });
    assert.equal(readTokenSecret({ tokenFile: file, tokenId: ID }).secret, SECRET);
    await chmod(file, 0o400);
    assert.equal(readTokenSecret({ tokenFile: file, tokenId: ID }).secret, SECRET);
  });
});

test("token file – readable or writable by group or others is refused, naming the mode", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "token");
    await writeFile(file, SECRET, { mode: 0o600 });
    for (const mode of [0o640, 0o604, 0o620, 0o602, 0o644, 0o666, 0o660]) {
      await chmod(file, mode);
      const err = tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID }));
      const octal = mode.toString(8).padStart(4, "0");
      assert.equal(
        err.message,
        `token: ${file} is readable or writable by group or others (mode ${octal}); run: chmod 600 ${file}`,
      );
    }
  });
});

test("token file – the systemd credential is used, and --token-file wins over it", async () => {
  await withDir(async (dir) => {
    const creds = join(dir, "creds");
    await mkdir(creds);
    await writeFile(join(creds, "pve-token"), SECRET, { mode: 0o400 });
    const got = readTokenSecret({ credentialsDirectory: creds, tokenId: ID });
    assert.deepEqual(got, { secret: SECRET, source: join(creds, "pve-token") });
    const other = join(dir, "other");
    await writeFile(other, "another-secret-value", { mode: 0o600 });
    assert.equal(
      readTokenSecret({ tokenFile: other, credentialsDirectory: creds, tokenId: ID }).secret,
      "another-secret-value",
    );
  });
});

test("token file – missing, wrong id, multi-line, empty, oversized and non-regular files are refused", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "token");
    assert.match(
      tokenError(() => readTokenSecret({ tokenId: ID })).message,
      /^token: no token secret: run under systemd/,
    );
    assert.equal(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      `token: cannot open ${file}: ENOENT`,
    );
    await writeFile(file, `other@pve!x=${SECRET}`, { mode: 0o600 });
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      /names a different token id/,
    );
    await writeFile(file, `${SECRET}\nsecond line\n`, { mode: 0o600 });
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      /must hold one line/,
    );
    await writeFile(file, "\n", { mode: 0o600 });
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      /not a token secret/,
    );
    await writeFile(file, `${SECRET} with spaces`, { mode: 0o600 });
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      /not a token secret/,
    );
    await writeFile(file, "x".repeat(5000), { mode: 0o600 });
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: file, tokenId: ID })).message,
      /larger than 4096 bytes/,
    );
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: dir, tokenId: ID })).message,
      /not a regular file/,
    );
    // A symlink to a private file is followed, and the target's mode is what counts.
    await writeFile(file, SECRET, { mode: 0o600 });
    const link = join(dir, "link");
    await symlink(file, link);
    assert.equal(readTokenSecret({ tokenFile: link, tokenId: ID }).secret, SECRET);
    await chmod(file, 0o644);
    assert.match(
      tokenError(() => readTokenSecret({ tokenFile: link, tokenId: ID })).message,
      /mode 0644/,
    );
  });
});
