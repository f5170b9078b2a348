// Preload (node --import) for the run-time fence test: every way Node starts a process throws in this process,
// and each attempt is recorded in $FENCE_LOG.
import { createRequire, register, syncBuiltinESMExports } from "node:module";
import { denied, record } from "./record.mjs";

record("preload loaded: deny-spawn");

const require = createRequire(import.meta.url);
const FORBIDDEN_MODULES = [
  "child_process",
  "execa",
  "cross-spawn",
  "nano-spawn",
  "tinyexec",
  "zx",
  "shelljs",
];

const cp = require("node:child_process");
for (const fn of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
  cp[fn] = denied(`child_process.${fn}`);
}
syncBuiltinESMExports();

const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  const bare = String(request).replace(/^node:/, "");
  if (FORBIDDEN_MODULES.includes(bare)) return denied(`require(${request})`)();
  return load.call(this, request, ...rest);
};
register("./deny-modules-hooks.mjs", import.meta.url, {
  data: { log: process.env.FENCE_LOG ?? "", forbidden: FORBIDDEN_MODULES },
});
