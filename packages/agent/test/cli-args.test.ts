// The CLI's argument handling: unknown commands and options, missing and malformed operands, hostile strings:
// each a one-line error plus the subcommand's usage, exit code 2, and nothing sent anywhere (no config needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS, helpText, memoryIo, runCli } from "../src/index.js";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  // An empty environment and a config path that does not exist: any attempt to open a session would fail
  // with a config error, so these cases prove the arguments are refused before that.
  const io = memoryIo({});
  const code = await runCli(["--config", "/nonexistent/felhom.json", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function usageError(
  r: { code: number; out: string; err: string },
  message: RegExp,
  usage: RegExp,
): void {
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, "");
  const [first, ...rest] = r.err.split("\n");
  assert.match(first ?? "", message);
  assert.match(rest.join("\n"), usage, "the subcommand's usage follows the error");
  assert.ok(!/\s+at .+:\d+:\d+/.test(r.err), "no stack trace");
}

test("cli args – each bad argument gets a one-line error and the subcommand's usage", async () => {
  const cases: Array<[string[], RegExp, RegExp]> = [
    [["guest"], /^felhom: guest: missing VMID$/, /^usage: felhom guest VMID/],
    [
      ["guest", "abc"],
      /^felhom: guest: VMID "abc" must be an integer from 100 to 999999999$/,
      /usage: felhom guest/,
    ],
    [["guest", "99"], /^felhom: guest: VMID "99" must be an integer/, /usage: felhom guest/],
    [
      ["guest", "100", "--kind", "vm"],
      /^felhom: guest: --kind "vm" must be one of lxc, qemu$/,
      /usage/,
    ],
    [["status", "extra"], /^felhom: status: unexpected argument "extra"$/, /^usage: felhom status/],
    [
      ["status", "--frobnicate"],
      /^felhom: status: unknown option "--frobnicate"$/,
      /usage: felhom status/,
    ],
    [["backup", "100"], /^felhom: backup: missing --storage$/, /--mode snapshot\|stop/],
    [
      ["backup", "100", "--storage", "local", "--mode", "suspend"],
      /--mode "suspend" must be one of snapshot, stop/,
      /usage/,
    ],
    [["backup", "100", "--storage", "x y"], /--storage "x y" is not a storage id/, /usage/],
    [
      ["backup", "100", "--storage", "local", "--timeout", "soon"],
      /--timeout "soon" must be a number/,
      /usage/,
    ],
    [
      [
        "restore",
        "300",
        "--archive",
        "local:backup/x.tar.zst",
        "--storage",
        "local-lvm",
        "--hostname",
        "bad_name",
      ],
      /--hostname "bad_name" is not a DNS host name/,
      /usage/,
    ],
    [
      ["snapshot", "100", "1bad"],
      /NAME "1bad" is not a snapshot name/,
      /usage: felhom snapshot VMID NAME/,
    ],
    [["rollback", "100"], /^felhom: rollback: missing NAME$/, /usage/],
    [
      ["config", "100", "--memory", "lots"],
      /--memory "lots" must be an integer/,
      /usage: felhom config/,
    ],
    [["config", "100", "--onboot", "yes"], /--onboot must be 0 or 1/, /usage/],
    [["content"], /^felhom: content: missing STORAGE$/, /usage/],
    [["task", "not-a-upid"], /UPID "not-a-upid" is not a PVE task id/, /usage: felhom task UPID/],
    [["tasks", "--limit", "0"], /--limit "0" must be an integer from 1 to 10000/, /usage/],
    [
      ["golden", "create", "9000"],
      /^felhom: golden create: missing --template$/,
      /usage: felhom golden create/,
    ],
    [
      [
        "golden",
        "create",
        "9000",
        "--template",
        "local:iso/x.iso",
        "--storage",
        "local",
        "--hostname",
        "g",
      ],
      /--template "local:iso\/x\.iso" is not STORAGE:vztmpl/,
      /usage/,
    ],
    [["golden", "create", "9000", "--template"], /option --template needs a value/, /usage/],
    [
      ["usb", "mount", "not-a-uuid", "disk"],
      /UUID "not-a-uuid" is not a filesystem UUID/,
      /usage: felhom usb mount UUID NAME/,
    ],
    [
      ["usb", "mount", "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab", "../etc"],
      /NAME "\.\.\/etc" is not a mount name/,
      /usage/,
    ],
    [
      ["usb", "mount", "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab", "disk", "--fstype", "ntfs"],
      /--fstype "ntfs" must be one of ext4, xfs/,
      /usage/,
    ],
    [["usb", "unmount"], /^felhom: usb unmount: missing NAME$/, /usage/],
    [
      ["smart", "/dev/vda"],
      /DEVICE "\/dev\/vda" is not \/dev\/sdX or \/dev\/nvmeNnM/,
      /usage: felhom smart \[DEVICE\]/,
    ],
    [["smart", "/dev/sda", "/dev/sdb"], /unexpected argument "\/dev\/sdb"/, /usage/],
  ];
  for (const [args, message, usage] of cases) usageError(await cli(args), message, usage);
});

test("cli args – hostile strings are quoted, capped and stripped of control characters", async () => {
  const evil = `\u001b]0;pwned\u0007\n${"A".repeat(500)}`;
  for (const args of [
    ["guest", evil],
    ["content", evil],
    ["snapshot", "100", evil],
    ["usb", "unmount", evil],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2);
    const first = r.err.split("\n")[0] ?? "";
    assert.ok(!first.includes("\u001b") && !first.includes("\u0007"), JSON.stringify(first));
    assert.ok(first.length < 200, `capped: ${first.length}`);
  }
  const unknown = await cli([`\u001b[31mred`]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /^felhom: unknown command "\?\[31mred"\n/);
});

test("cli args – help, per-command help, version, no command", async () => {
  const help = memoryIo();
  assert.equal(await runCli(["--help"], help), 0);
  assert.equal(help.out(), `${helpText()}\n`);
  for (const c of COMMANDS) assert.ok(help.out().includes(`  ${c.name}`), c.name);
  const sub = await cli(["backup", "--help"]);
  assert.equal(sub.code, 0);
  assert.match(sub.out, /^usage: felhom backup VMID \[options\]\n/);
  assert.match(sub.out, /--no-wait +print the task id \(UPID\)/);
  const none = memoryIo();
  assert.equal(await runCli([], none), 2);
  assert.match(none.err(), /^usage: felhom/);
  const version = memoryIo();
  assert.equal(await runCli(["--version"], version), 0);
  assert.match(version.out(), /^felhom \d+\.\d+\.\d+\n$/);
  const two = await cli(["usb"]);
  assert.equal(two.code, 2);
  assert.match(two.err, /^felhom: unknown command "usb"/);
  const dangling = memoryIo();
  assert.equal(await runCli(["--node"], dangling), 2);
  assert.match(dangling.err(), /^felhom: option --node needs a value\n/);
  const optionOnly = memoryIo();
  assert.equal(await runCli(["--json"], optionOnly), 2);
  assert.match(optionOnly.err(), /^felhom: no command given\n/);
});

test("cli args – global options before --help or --version still print the help or the version", async () => {
  for (const argv of [
    ["--config", "/etc/felhom/agent.json", "--help"],
    ["--json", "-h"],
    ["--node", "pve", "--token-file", "/x", "--help"],
  ]) {
    const io = memoryIo();
    assert.equal(await runCli(argv, io), 0, argv.join(" "));
    assert.equal(io.out(), `${helpText()}\n`);
    assert.equal(io.err(), "");
  }
  const version = memoryIo();
  assert.equal(await runCli(["--config", "/x", "--version"], version), 0);
  assert.match(version.out(), /^felhom \d+\.\d+\.\d+\n$/);
  // --help as the value of an option is that option's value, not a request for help.
  const dangling = memoryIo();
  assert.equal(await runCli(["--node", "--help"], dangling), 2);
  // An unknown command is still named, --help or not.
  const unknown = memoryIo();
  assert.equal(await runCli(["--config", "/x", "frobnicate", "--help"], unknown), 2);
  assert.match(unknown.err(), /^felhom: unknown command "frobnicate"/);
});

test("cli args – a valid command with a broken config fails with exit 2 naming the field, not a stack", async () => {
  const r = await cli(["status"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.err,
    "felhom: config: cannot read /nonexistent/felhom.json: ENOENT [AGENT_CONFIG_INVALID]\n",
  );
  const io = memoryIo({ FELHOM_PVE_URL: "http://insecure" });
  assert.equal(await runCli(["status", "--json"], io), 2);
  assert.match(
    io.err(),
    /^felhom: config: pve\.url \(from FELHOM_PVE_URL\): must be an https:\/\/ URL/,
  );
  assert.equal(JSON.parse(io.out()).error.code, "AGENT_CONFIG_INVALID");
});

test("cli args – the version printed is the package's version", async () => {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const io = memoryIo();
  await runCli(["--version"], io);
  assert.equal(io.out(), `felhom ${pkg.version}\n`);
});
