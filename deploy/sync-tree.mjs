// Copies a list of files (relative paths on stdin) from SRC to DEST, root-owned with a fixed mode, rewriting only
// files whose content or mode differ, so a second install changes nothing. Prints "changed N" on stderr's last line
// and each installed path on stdout (for the install manifest). Used by deploy/install.sh; runs on the host's node.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
} from "node:fs";
import { dirname, join } from "node:path";

const [src, dest, prefix, modeArg] = process.argv.slice(2);
if (!src || !dest || !prefix || !modeArg) {
  process.stderr.write("usage: sync-tree.mjs SRC DEST PREFIX MODE < relative-paths\n");
  process.exit(2);
}
const mode = parseInt(modeArg, 8);
const rels = readFileSync(0, "utf8").split("\n").filter(Boolean);
let changed = 0;
for (const rel of rels) {
  const from = join(src, rel);
  const to = join(dest, prefix, rel);
  let same = false;
  try {
    const st = lstatSync(to);
    same =
      st.isFile() &&
      (st.mode & 0o7777) === mode &&
      st.uid === 0 &&
      st.gid === 0 &&
      readFileSync(to).equals(readFileSync(from));
  } catch {
    same = false;
  }
  if (!same) {
    mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
    const tmp = `${to}.felhom-tmp`;
    copyFileSync(from, tmp);
    chownSync(tmp, 0, 0);
    chmodSync(tmp, mode);
    renameSync(tmp, to);
    changed++;
  }
  process.stdout.write(`${join(prefix, rel)}\n`);
}
process.stderr.write(`changed ${changed}\n`);
