// startSim: builds the state (sample data, tokens), the certificate and the HTTPS listener, and returns the Sim
// handle other packages code against.
import { randomBytes } from "node:crypto";
import { AdminApi } from "./admin.js";
import { generateCertificate } from "./cert.js";
import { realClock } from "./clock.js";
import { ResponseCache, type SimCore } from "./core.js";
import { SimError } from "./errors.js";
import { FaultRegistry } from "./faults.js";
import { HANDLERS } from "./handlers/index.js";
import { Pipeline } from "./http/pipeline.js";
import { createPrng } from "./prng.js";
import { Router } from "./router.js";
import { addExtraGuests } from "./state/extra-guests.js";
import { loadSampleData, sampleNode } from "./state/sample-data.js";
import { SimState } from "./state/state.js";
import { listen } from "./server.js";
import type { Sim, SimOptions } from "./types.js";

const NODE_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const host = options.host ?? "127.0.0.1";
  const nodeName = options.node ?? "pve";
  if (!NODE_RE.test(nodeName))
    throw new SimError("SIM_INVALID_OPTION", `invalid node name '${nodeName}'`);
  const clock = options.clock ?? realClock();
  const seed = options.seed ?? 1;
  const prng = createPrng(seed);
  const state = new SimState({
    clock,
    prng,
    node: sampleNode(nodeName, clock.now(), prng),
    earlyNoSuchTaskMs: options.earlyNoSuchTaskMs ?? 25,
    taskDurationMs: options.taskDurationMs ?? 300,
  });
  for (const [type, ms] of Object.entries(options.taskDurations ?? {}))
    state.tasks.durations.set(type, ms);
  if (options.sampleData !== false) loadSampleData(state, prng);
  addExtraGuests(state, prng, options.extraGuests ?? 0);
  const token = state.access.addToken({
    id: "root@pam!pve-sim",
    privsep: false,
    secret: options.tokenSecret ?? prng.uuid(),
  });
  const hosts = [
    ...new Set(["127.0.0.1", "localhost", ...(host === "0.0.0.0" || host === "::" ? [] : [host])]),
  ];
  const cert = generateCertificate(hosts, nodeName);
  const core: SimCore = {
    state,
    clock,
    prng,
    faults: new FaultRegistry(createPrng(seed + 0x5eed)),
    options: {
      node: nodeName,
      lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
      validateResponses: options.validateResponses ?? false,
      authFailureDelayMs: options.authFailureDelayMs ?? 0,
      maxRecordedRequests: options.maxRecordedRequests ?? 100_000,
      quiet: options.quiet ?? false,
      adminSecret: options.adminSecret ?? randomBytes(18).toString("base64url"),
    },
    cache: new ResponseCache(),
    certFingerprint: cert.fingerprint256,
    requests: [],
    responseProblems: [],
    log: (msg) => {
      if (!options.quiet) process.stderr.write(`pve-sim: ${msg}\n`);
    },
  };
  const pipeline = new Pipeline(core, new Router(HANDLERS));
  const listener = await listen(
    core,
    pipeline,
    new AdminApi(core),
    { key: cert.keyPem, cert: cert.certPem },
    host,
    options.port ?? 0,
  );
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  let closed = false;
  return {
    url: `https://${urlHost}:${listener.port}`,
    port: listener.port,
    node: nodeName,
    fingerprint256: cert.fingerprint256,
    ca: cert.certPem,
    token,
    addToken: (spec) => state.access.addToken(spec),
    addUser: (userid, acl) => state.access.addUser(userid, acl),
    state,
    faults: core.faults,
    requests: core.requests,
    clock,
    adminSecret: core.options.adminSecret,
    close: async () => {
      if (closed) return;
      closed = true;
      await listener.close();
    },
  };
}
