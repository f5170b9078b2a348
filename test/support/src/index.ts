// The entry of the workspace-only test support: the root-helper sandbox and the agent side's start-up.
export { startSandbox, USB_UUID } from "./sandbox.js";
export type { Sandbox, SandboxOptions } from "./sandbox.js";
export { startAgentSide, ROLE_PRIVILEGES } from "./agent-side.js";
export type { AgentSide, AgentSideOptions } from "./agent-side.js";
export { BUILT, builtBin } from "./built.js";
