// The peer's identity as the kernel recorded it at connect time (SO_PEERCRED). Node has no API for it, so a tiny
// reviewed N-API addon (native/peercred.c) is loaded from its fixed place in this package; no fallback.
import { createRequire } from "node:module";
import type { Socket } from "node:net";

export type PeerCred = { readonly pid: number; readonly uid: number; readonly gid: number };

/** Loads the addon; throws when it was not built, so the helper refuses to start rather than serve unchecked.
 * The returned function gives undefined when the kernel has no answer (the caller then refuses the peer). */
export function loadPeerCred(): (socket: Socket) => PeerCred | undefined {
  const require = createRequire(import.meta.url);
  const addon = require("../native/build/Release/peercred.node") as { peercred?: unknown };
  const peercred = addon.peercred;
  if (typeof peercred !== "function") throw new Error("the peercred addon exports no peercred()");
  return (socket) => {
    // libuv's fd of the accepted connection; Node exposes it only on the internal handle.
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    try {
      const cred = (peercred as (fd: unknown) => PeerCred)(fd); // throws unless fd is a connected socket
      return { pid: cred.pid, uid: cred.uid, gid: cred.gid };
    } catch {
      return undefined;
    }
  };
}
