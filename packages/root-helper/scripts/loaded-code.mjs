#!/usr/bin/env node
// Measures the JavaScript the production root helper (dist/main.js) loads, and its idle RSS, under the node flags
// of its systemd unit: starts it as root on a socket in a temp dir serving root, makes one helper.hello call,
// waits, reads VmRSS, stops it with SIGTERM and counts the files and lines it loaded, by package. Plain
// JavaScript, so it also runs on a Debian host from the installed tree:
//   node loaded-code.mjs [--unit PATH.service] [--main PATH/main.js] [--idle-ms N]     (prints JSON)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The `--…` node flags of a unit's ExecStart= (between /usr/bin/node and the script). */
export function unitNodeFlags(unitText) {
  const line = unitText.split("\n").find((l) => l.startsWith("ExecStart=")) ?? "";
  const argv = line.slice("ExecStart=".length).trim().split(/\s+/);
  const script = argv.findIndex((a, i) => i > 0 && !a.startsWith("--"));
  return argv.slice(1, script < 0 ? argv.length : script);
}

/** The package a loaded file belongs to ("zod", "vscode-jsonrpc", or "(own)" outside node_modules). */
export function packageOf(file) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf("node_modules");
  if (i < 0) return "(own)";
  return parts[i + 1]?.startsWith("@") ? `${parts[i + 1]}/${parts[i + 2]}` : (parts[i + 1] ?? "?");
}

/** Lines of a file by package; a bundle (esbuild's `// path` section comments) is split into its sources. */
function linesByPackage(file, into) {
  const lines = readFileSync(file, "utf8").split("\n");
  lines.pop(); // the text after the last newline
  let pkg = packageOf(file);
  for (const line of lines) {
    const section = /^\/\/ ((?:\.\.\/|[\w@.-]+\/)*[\w.-]+\.(?:[cm]?js|ts))$/.exec(line);
    if (section) pkg = packageOf(section[1].replaceAll("/", sep));
    into[pkg] = (into[pkg] ?? 0) + 1;
  }
  return lines.length;
}

/** Starts dist/main.js as root on a temp socket, makes one hello call and waits idleMs; then calls `probe(pid)`,
 * stops it with SIGTERM and resolves with probe's answer. `extra` node arguments go before the script. */
async function withHelper({ flags, main, idleMs, extra = [], env = {} }, probe) {
  const dir = mkdtempSync(join(tmpdir(), "loaded-code-"));
  const socket = join(dir, "helper.sock");
  try {
    const args = [...flags, ...extra, main, "--socket", socket, "--agent-user", "root"];
    const fullEnv = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", ...env };
    const child = spawn(process.execPath, args, {
      env: fullEnv,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise((resolve, reject) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.includes("serving")) resolve();
      });
      child.once("exit", () => reject(new Error(`helper exited: ${stderr.trim()}`)));
    });
    await hello(socket);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const answer = probe(child.pid);
    child.kill("SIGTERM");
    await exited;
    return answer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the measurement; resolves with {flags, files, lines, byPackage, rssIdleKiB, list}. The RSS comes from
 * a second run without the loader hooks (their thread has a heap of its own). */
export async function measureLoadedCode({ unit, main, idleMs = 1500 }) {
  const flags = unitNodeFlags(readFileSync(unit, "utf8"));
  const out = join(mkdtempSync(join(tmpdir(), "loaded-list-")), "loaded.json");
  const preload = join(here, "loaded-code-preload.mjs");
  await withHelper(
    { flags, main, idleMs: 100, extra: ["--import", preload], env: { LOADED_CODE_OUT: out } },
    () => 0,
  );
  const list = JSON.parse(readFileSync(out, "utf8")).filter((f) => /\.(c|m)?js$/.test(f));
  rmSync(dirname(out), { recursive: true, force: true });
  const byPackage = {};
  let lines = 0;
  for (const file of list) lines += linesByPackage(file, byPackage);
  const rssIdleKiB = await withHelper({ flags, main, idleMs }, (pid) =>
    Number(/^VmRSS:\s+([0-9]+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]),
  );
  return { flags, files: list.length, lines, byPackage, rssIdleKiB, list };
}

/** One helper.hello over a raw socket; resolves on the answer. */
function hello(path) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} });
    const s = connect(path, () =>
      s.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    );
    s.on("data", (d) => (d.includes('"result"') ? (s.destroy(), resolve()) : undefined));
    s.on("error", reject);
    s.on("close", () => reject(new Error("closed before the hello answer")));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opt = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const result = await measureLoadedCode({
    unit: opt("--unit", join(here, "../../../deploy/felhom-root-helper.service")),
    main: opt("--main", join(here, "../dist/main.js")),
    idleMs: Number(opt("--idle-ms", "1500")),
  });
  const { list, ...summary } = result;
  process.stdout.write(
    `${JSON.stringify(process.argv.includes("--list") ? result : summary, null, 2)}\n`,
  );
}
