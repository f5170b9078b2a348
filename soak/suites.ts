// The soak's suites in report order: id, what each one does (for RELIABILITY.md) and how to run it at a profile.
import { runClientSoak } from "./client/suite.js";
import { runLockContention } from "./client/lock-contention.js";
import { runBadInput } from "./edges/bad-input.js";
import { runDaemonSoak } from "./edges/daemon-soak.js";
import { runFlood } from "./helper/flood.js";
import { runFramingFuzz } from "./helper/framing-fuzz.js";
import { runPeerChecks } from "./helper/peer.js";
import { runHelperProperties } from "./helper/properties.js";
import type { Profile, SuiteResult } from "./lib/result.js";

export interface Suite {
  id: string;
  /** How the suite works, in two or three sentences (the figures come from the run). */
  about: string;
  run(profile: Profile): Promise<SuiteResult>;
}

export const SUITES: readonly Suite[] = [
  {
    id: "client-faults",
    about:
      "Mixed operations through the agent's routing facade and pve-client (reads, restores, backups in stop and snapshot mode, snapshots, rollbacks, start/stop/shutdown, LXC and QEMU config changes), 8 at a time, against the simulator in its own process with request faults (resets before and after the request is read, 5xx, 595/596/599, status-line-only errors, data: null, latency spikes, lock timeouts) and forced task outcomes (failures, lock timeouts, warnings). The simulator records every request and every task's exitstatus; the invariants are checked against those records. The client logs at trace level into a scanner.",
    run: (profile) => runClientSoak({ profile }),
  },
  {
    id: "lock-contention",
    about:
      "Rounds of twelve mutating calls fired at once on one container (snapshots, backups in both modes, config changes, rollbacks).",
    run: (profile) => runLockContention({ profile }),
  },
  {
    id: "helper-properties",
    about:
      "fast-check batches of up to eight JSON-RPC requests (valid params generated from DESIGN section 4, mutated values, dropped and extra keys, params that are not objects, unknown methods) over two real connections to the compiled helper (--jitless, fake tools that record their exact argv). After each batch the tools that ran must equal, as a multiset, the pure argv builders' output for the requests that validated against the contract and were served.",
    run: (profile) => runHelperProperties({ profile }),
  },
  {
    id: "helper-framing",
    about:
      "Byte-level attacks, 48 connections at a time: random bytes, hostile Content-Length values, extra or malformed headers, oversized or endless header blocks, bodies that are not requests (JSON-RPC responses, batches, 20,000-deep nesting, invalid UTF-8), byte mutations of valid frames, partial frames and slow writers. A valid hello is sent after every block.",
    run: (profile) => runFramingFuzz({ profile }),
  },
  {
    id: "helper-flood",
    about:
      "1,000 connections opened at once against the helper's production connection cap (16), each accepted one dribbling a frame a byte every 100 ms; meanwhile a well-behaved client retries a hello. Then 12 concurrent requests on one connection (in-flight limit 4) and two concurrent pct creates (one at a time).",
    run: (profile) => runFlood({ profile }),
  },
  {
    id: "helper-peers",
    about:
      "The compiled production helper (main.js) as root: behind systemd-socket-activate with sockets of the wrong mode or group, and on a correct socket; clients dropped to other uids and gids with setpriv.",
    run: (profile) => runPeerChecks({ profile }),
  },
  {
    id: "bad-input",
    about:
      "The compiled felhom CLI and felhom-agent daemon run as processes with bad config files (malformed JSON, every field with wrong types and hostile strings, required fields missing, unknown keys at every level), bad environment overrides, bad arguments for every command, and bad token files.",
    run: (profile) => runBadInput({ profile }),
  },
  {
    id: "daemon-secrets",
    about:
      "The compiled felhom-agent daemon at log level trace against the simulator (faults switched on once it is ready) and the compiled root helper, snapshotting twice a second, then felhom CLI commands at trace level (status, guests, sensors, smart, a snapshot task, tasks) under the same faults; their output, every state file the daemon writes and the helper's audit lines are scanned for the token secret.",
    run: (profile) => runDaemonSoak({ profile }),
  },
];
