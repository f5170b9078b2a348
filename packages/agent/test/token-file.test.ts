// The token secret: read from the systemd credential or --token-file, refused when group or others may read or
// write it, and never part of an error message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
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
    for (const mode of [0o440, 0o640, 0o604, 0o620, 0o602, 0o644, 0o666, 0o660]) {
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
    await mkdir(creds, { mode: 0o700 });
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

const isRoot = process.geteuid?.() === 0;
const SERVICE = { uid: 65530, gid: 65531 };

/** A credentials directory as systemd 257 makes it: dir and file modes, owned by uid:gid. */
async function credentialsDir(
  dir: string,
  shape: { dirMode: number; fileMode: number; uid: number; gid: number },
): Promise<string> {
  const creds = join(dir, "creds");
  await mkdir(creds);
  await writeFile(join(creds, "pve-token"), `${SECRET}\n`, { mode: 0o600 });
  await chown(join(creds, "pve-token"), shape.uid, shape.gid);
  await chmod(join(creds, "pve-token"), shape.fileMode);
  await chown(creds, shape.uid, shape.gid);
  await chmod(creds, shape.dirMode);
  return creds;
}

test("token file – the systemd 257 credential shapes are accepted (0440 under ACL mask, 0400 owned by the service)", async (t) => {
  if (!isRoot) return t.skip("needs root to make root- and service-owned credentials");
  await withDir(async (dir) => {
    // tmpfs with ACLs: root:root, directory 0550 and file 0440 (the group bits are the ACL mask).
    const acl = await credentialsDir(dir, { dirMode: 0o550, fileMode: 0o440, uid: 0, gid: 0 });
    assert.equal(readTokenSecret({ credentialsDirectory: acl, tokenId: ID }).secret, SECRET);
    await rm(acl, { recursive: true, force: true });
    // ramfs without ACLs: systemd chowns to the service user (here: the test's own root), 0500 and 0400.
    const own = await credentialsDir(dir, { dirMode: 0o500, fileMode: 0o400, uid: 0, gid: 0 });
    assert.equal(readTokenSecret({ credentialsDirectory: own, tokenId: ID }).secret, SECRET);
  });
});

test("token file – a credential in a directory or file that is not private to the service is refused", async (t) => {
  if (!isRoot) return t.skip("needs root to give files to other users");
  const bad: {
    dirMode: number;
    fileMode: number;
    uid?: number;
    gid?: number;
    fileUid?: number;
    fileGid?: number;
    what: RegExp;
  }[] = [
    { dirMode: 0o555, fileMode: 0o440, what: /directory .* \(others have access, mode 0555/ },
    { dirMode: 0o570, fileMode: 0o440, what: /directory .* \(group may write, mode 0570/ },
    { dirMode: 0o550, fileMode: 0o440, uid: 12345, what: /directory .* \(owned by another user/ },
    {
      dirMode: 0o550,
      fileMode: 0o440,
      gid: 12345,
      what: /directory .* \(another group has access/,
    },
    { dirMode: 0o550, fileMode: 0o444, what: /credential .* \(others have access, mode 0444/ },
    { dirMode: 0o550, fileMode: 0o460, what: /credential .* \(group may write, mode 0460/ },
    {
      dirMode: 0o550,
      fileMode: 0o440,
      fileUid: 12345,
      what: /credential .* \(owned by another user/,
    },
    {
      dirMode: 0o550,
      fileMode: 0o440,
      fileGid: 12345,
      what: /credential .* \(another group has access/,
    },
  ];
  for (const b of bad) {
    await withDir(async (dir) => {
      const creds = await credentialsDir(dir, {
        dirMode: b.dirMode,
        fileMode: b.fileMode,
        uid: b.uid ?? 0,
        gid: b.gid ?? 0,
      });
      if (b.fileUid !== undefined || b.fileGid !== undefined) {
        await chown(join(creds, "pve-token"), b.fileUid ?? 0, b.fileGid ?? 0);
        await chmod(join(creds, "pve-token"), b.fileMode);
      }
      assert.match(
        tokenError(() => readTokenSecret({ credentialsDirectory: creds, tokenId: ID })).message,
        b.what,
      );
    });
  }
  // A symlink in place of the credential is not what systemd writes.
  await withDir(async (dir) => {
    const creds = join(dir, "creds");
    await mkdir(creds, { mode: 0o500 });
    await writeFile(join(dir, "elsewhere"), SECRET, { mode: 0o400 });
    await symlink(join(dir, "elsewhere"), join(creds, "pve-token"));
    assert.match(
      tokenError(() => readTokenSecret({ credentialsDirectory: creds, tokenId: ID })).message,
      /cannot open .*pve-token: ELOOP/,
    );
  });
});

test("token file – a service user really reads a root-owned 0440 credential through its group (setpriv)", async (t) => {
  if (!isRoot) return t.skip("needs root to run as another user");
  await withDir(async (dir) => {
    await chmod(dir, 0o755);
    const creds = await credentialsDir(dir, {
      dirMode: 0o550,
      fileMode: 0o440,
      uid: 0,
      gid: SERVICE.gid,
    });
    const mod = new URL("../src/token-file.ts", import.meta.url).pathname;
    const script = `import(${JSON.stringify(mod)}).then((m) => {
      try { process.stdout.write(m.readTokenSecret({ credentialsDirectory: process.argv[1], tokenId: "x@pve!y" }).source); }
      catch (e) { process.stdout.write("ERR " + e.message); }
    })`;
    const { stdout } = await promisify(execFile)(
      "/usr/bin/setpriv",
      [
        `--reuid=${SERVICE.uid}`,
        `--regid=${SERVICE.gid}`,
        "--clear-groups",
        process.execPath,
        "--conditions=@felhom/source",
        "--import",
        "tsx",
        "-e",
        script,
        creds,
      ],
      { cwd: new URL("..", import.meta.url).pathname, timeout: 30_000 },
    );
    assert.equal(stdout, join(creds, "pve-token"));
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
