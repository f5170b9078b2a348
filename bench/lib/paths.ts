// Where things are: the repository root and the compiled entry points the bench runs.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BENCH_DIR = join(REPO_ROOT, "bench");
export const PYTHON = "/usr/bin/python3";
