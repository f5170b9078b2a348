// The pve-sim command line: prints URL, fingerprint and token, serves the API, stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

test("cli – --port 0 prints a usable URL, fingerprint and token; SIGTERM stops it", async () => {
  const child = spawn(
    process.execPath,
    ["--conditions=@felhom/source", "--import", "tsx", cli, "--port", "0", "--json", "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
    });
    child.on("exit", (code) => reject(new Error(`exited ${String(code)}`)));
  });
  const info = JSON.parse(line) as { url: string; fingerprint: string; token: string };
  assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(info.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.match(info.token, /^root@pam!pve-sim=[0-9a-f-]{36}$/);
  const { status, fingerprint } = await new Promise<{ status: number; fingerprint: string }>(
    (resolve, reject) => {
      const req = request(
        `${info.url}/api2/json/version`,
        {
          rejectUnauthorized: false,
          agent: false,
          headers: { Authorization: `PVEAPIToken=${info.token}` },
        },
        (res) => {
          const fp = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, fingerprint: fp }));
        },
      );
      req.on("error", reject);
      req.end();
    },
  );
  assert.equal(status, 200);
  assert.equal(
    fingerprint,
    info.fingerprint,
    "the printed fingerprint pins the served certificate",
  );
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  assert.equal(await exit, 0);
});

test("cli – the human output names the URL, fingerprint and a ready token", async () => {
  const child = spawn(
    process.execPath,
    ["--conditions=@felhom/source", "--import", "tsx", cli, "--port", "0", "--seed", "5"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const text = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("try: ")) resolve(out);
    });
  });
  child.kill("SIGINT");
  await new Promise((r) => child.on("exit", r));
  assert.match(text, /^pve-sim listening on https:\/\/127\.0\.0\.1:\d+ \(node pve/m);
  assert.match(text, /^fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}$/m);
  assert.match(text, /^token: root@pam!pve-sim=[0-9a-f-]{36}$/m);
});

test("cli – bad arguments exit 2 with usage", async () => {
  const child = spawn(
    process.execPath,
    ["--conditions=@felhom/source", "--import", "tsx", cli, "--port", "-3"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 2);
  assert.match(err, /usage: pve-sim/);
});
