// A root helper started in this process through its library entry, with fake tools and its directories in a temp
// folder, serving this process's own uid and gid: shared by root-helper's own tests and the repository's tests.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelperClient } from "@felhom/helper-protocol";
import { startHelper } from "@felhom/root-helper";
import type { Dirs, Limits } from "@felhom/root-helper";
import { makeFakeHost, makeFakeTools } from "../fake-tools/make-fake-tools.mjs";
import type { FakeRules, FakeTools } from "../fake-tools/make-fake-tools.mjs";

export interface TestHelper {
  root: string;
  socket: string;
  fake: FakeTools;
  dirs: Dirs;
  audit: Array<Record<string, unknown>>;
  connect(): Promise<HelperClient>;
  close(): Promise<void>;
}

/** Starts a helper (library mode) on a fresh socket with fake tools; close() stops it and removes the folder. */
export async function startTestHelper(
  opts: {
    rules?: FakeRules;
    limits?: Partial<Limits>;
    agent?: { uid: number; gid: number };
    policy?: unknown;
  } = {},
): Promise<TestHelper> {
  const root = await mkdtemp(join(tmpdir(), "rh-"));
  await chmod(root, 0o755); // children that drop privileges must be able to reach the socket
  const fake = await makeFakeTools(join(root, "bin"), opts.rules ? { rules: opts.rules } : {});
  const made = {
    unitDir: join(root, "units"),
    mountBase: join(root, "mnt"),
    byIdDir: join(root, "disk", "by-id"),
    devDir: join(root, "dev"),
  };
  for (const d of Object.values(made)) await mkdir(d, { recursive: true });
  const host = await makeFakeHost(
    root,
    made.devDir,
    "policy" in opts ? { policy: opts.policy } : {},
  );
  const dirs: Dirs = { ...made, ...host };
  const audit: Array<Record<string, unknown>> = [];
  const helper = await startHelper({
    tools: fake.tools,
    ...dirs,
    listen: { path: join(root, "h.sock") },
    agentUid: opts.agent?.uid ?? process.getuid?.() ?? -1,
    agentGid: opts.agent?.gid ?? process.getgid?.() ?? -1,
    ...(opts.limits ? { limits: opts.limits } : {}),
    audit: (line) => audit.push(JSON.parse(line) as Record<string, unknown>),
  });
  return {
    root,
    socket: helper.address,
    fake,
    dirs,
    audit,
    connect: () => HelperClient.connect(helper.address),
    close: async () => {
      await helper.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
