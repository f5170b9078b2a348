// What to do about each way the root helper can fail or refuse: one fix hint per HelperError code, shared by the
// CLI's error line and `felhom doctor`, so no refusal reaches an admin as a bare code.
import { isHelperError } from "@felhom/helper-protocol";
import type { HelperClientErrorCode } from "@felhom/helper-protocol";

const JOURNAL = "journalctl -u felhom-root-helper";
const WHO =
  "the helper serves only root and the agent's user: run as root (sudo felhom …) or as felhom";
const SAME_BUILD =
  "the agent and the root helper come from different builds: after an upgrade run systemctl restart felhom-root-helper.socket felhom-agent";

/** A fix hint for every code a helper call can end with; undefined only where there is nothing to fix. */
export const HELPER_HINTS: { readonly [K in HelperClientErrorCode]: string | undefined } = {
  HELPER_PARSE_ERROR: SAME_BUILD,
  HELPER_INVALID_REQUEST: SAME_BUILD,
  HELPER_METHOD_NOT_FOUND: SAME_BUILD,
  HELPER_PROTOCOL_MISMATCH: SAME_BUILD,
  HELPER_BAD_RESULT: `${SAME_BUILD}; the helper's side is in ${JOURNAL}`,
  HELPER_INVALID_PARAMS:
    "the helper refused the arguments' shape: see felhom COMMAND --help for the accepted forms",
  HELPER_INTERNAL_ERROR: `the helper failed internally; its audit and error lines are in ${JOURNAL}`,
  HELPER_TOOL_FAILED: `the privileged tool (pct, systemctl, smartctl, sensors) failed; its output is in ${JOURNAL}`,
  HELPER_BUSY:
    "another operation of this kind is running through the helper: wait for it, then retry",
  HELPER_PEER_DENIED: WHO,
  HELPER_DEVICE_NOT_ELIGIBLE:
    "only a filesystem on a USB disk that is not mounted and not the system's can be mounted: check lsblk -o NAME,TRAN,UUID,FSTYPE,MOUNTPOINTS",
  HELPER_NOT_FOUND:
    "no such object: check the UUID (lsblk -o NAME,UUID), the mount name (systemctl list-units 'mnt-felhom-*') or the device (lsblk -d)",
  HELPER_ALREADY_EXISTS:
    "it exists already: pick another VMID or mount name, or unmount it first (felhom usb unmount NAME)",
  HELPER_TIMEOUT: `the privileged tool did not finish in time; see ${JOURNAL}, then retry`,
  HELPER_CANCELLED:
    "the request was cancelled (timed out or disconnected) while it waited for an earlier operation; retry",
  HELPER_NOT_OWNED:
    "the helper only removes mounts it created itself (felhom usb mount); remove this one by hand",
  HELPER_TOOL_OUTPUT_INVALID: `the tool printed output the helper cannot read (an unsupported version?); see ${JOURNAL}`,
  HELPER_DEVICE_IN_USE:
    "the disk is held by the host (lsblk -o NAME,MOUNTPOINTS; ls /sys/block/DEV/holders) or named in a guest's config (grep -r DEV /etc/pve/nodes): detach it there first",
  HELPER_POLICY_INVALID:
    "the golden-image policy /etc/felhom/golden-policy.json is missing, not root's alone (chown root:root, chmod 0644) or invalid; see journalctl -u felhom-root-helper",
  HELPER_POLICY_DENIED:
    "outside the golden-image policy: an admin can widen /etc/felhom/golden-policy.json (templates, storages, bridges, VMID range, sizes)",
  HELPER_GOLDEN_LIMIT:
    "the golden-image policy's container limit is reached: remove a golden container (pct destroy VMID) or raise maxContainers in /etc/felhom/golden-policy.json",
  HELPER_TOOL_UNAVAILABLE:
    "install the tool on the host: apt install smartmontools (smart) or lm-sensors (sensors); pct comes with Proxmox VE",
  HELPER_UNKNOWN_ERROR: `the helper answered with a code this agent does not know: ${SAME_BUILD}`,
  HELPER_CONNECT_FAILED:
    "is the helper socket active (systemctl enable --now felhom-root-helper.socket)? is helper.socket in the config right?",
  HELPER_CALL_TIMEOUT: `the helper did not answer in time; see ${JOURNAL}`,
  HELPER_ABORTED: undefined,
  HELPER_CLOSED: `the helper closed the connection: it refused this user (${WHO}), or it failed; see ${JOURNAL}`,
};

/** vscode-jsonrpc's own codes for a connection that broke under a request (write/read error, disposed). */
const CONNECTION_CODES = new Set([-32099, -32098, -32097, -32096]);

/** Did the connection break under the call (rather than the helper answering with an error)? */
export function brokenConnection(err: unknown): boolean {
  return (
    isHelperError(err) &&
    (err.code === "HELPER_CLOSED" ||
      (err.code === "HELPER_UNKNOWN_ERROR" &&
        err.rpcCode !== undefined &&
        CONNECTION_CODES.has(err.rpcCode)))
  );
}

/**
 * The hint for a helper failure. A connection refused by the socket file's mode (EACCES) is about who runs the
 * CLI; one the helper closed before answering (its peer check) shows up as a broken connection.
 */
export function helperHint(err: unknown): string | undefined {
  if (!isHelperError(err)) return undefined;
  if (err.code === "HELPER_CONNECT_FAILED") {
    if (/\bEACCES\b|\bEPERM\b/.test(err.message)) return WHO;
    if (/\bECONNREFUSED\b/.test(err.message))
      return "nothing listens on the helper socket: systemctl restart felhom-root-helper.socket";
  }
  if (brokenConnection(err)) return HELPER_HINTS.HELPER_CLOSED;
  return HELPER_HINTS[err.code];
}
