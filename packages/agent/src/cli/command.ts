// What a CLI subcommand is: its grammar (CommandShape), the routing-table operations it uses, and a run function
// that gets a context (lazy session, output streams, abort signal) and returns data for --json and text for people.
import type { GuestKind } from "@felhom/pve-client";
import { AgentError } from "../errors.js";
import type { GuestRef, ProxmoxHost } from "../host.js";
import type { Operation } from "../routing.js";
import type { Session } from "../session.js";
import type { CommandShape } from "./args.js";
import type { CliIo } from "./io.js";
import type { ArgReader } from "./reader.js";

export interface CommandOutput {
  /** Printed as JSON with --json. */
  data: unknown;
  /** Printed for people (may be empty when everything was streamed already). */
  text: string;
  /** Non-zero when the command failed after producing output (e.g. a failed task). */
  exitCode?: number;
  /** The one-line reason printed on stderr with a non-zero exitCode. */
  error?: string;
  /** How to fix it, printed after the reason. */
  hint?: string;
}

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The session (config, token, client, helper link), opened on first use. */
  session(): Promise<Session>;
  host(): Promise<ProxmoxHost>;
}

export interface CommandDef extends CommandShape {
  /** The routing-table operations this subcommand may call (checked by the routing test). */
  readonly ops: readonly Operation[];
  /** Does it open a session? (help-only commands do not) */
  run(ctx: CommandContext, args: ArgReader): Promise<CommandOutput>;
}

/** Finds a guest's kind from the node's guest list, unless `--kind` said it. */
export async function resolveGuest(
  ctx: CommandContext,
  vmid: number,
  kind: GuestKind | undefined,
): Promise<GuestRef> {
  if (kind !== undefined) return { vmid, kind };
  const host = await ctx.host();
  const guest = (await host.listGuests({ signal: ctx.signal })).find((g) => g.vmid === vmid);
  if (guest === undefined) {
    throw new AgentError("AGENT_ROUTING", `guest ${vmid} does not exist on node ${host.node}`);
  }
  return { vmid, kind: guest.kind };
}

export const KIND_OPTION = {
  kind: { type: "string", value: "lxc|qemu", help: "the guest's kind (default: looked up)" },
} as const;

export const GUEST_KINDS: readonly GuestKind[] = ["lxc", "qemu"];
