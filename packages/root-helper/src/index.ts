// Public surface of @felhom/root-helper: the library entry for tests and the demo, and the pure pieces (argv
// builders, tool environment, unit naming) that other packages' tests check the helper against.
export { startHelper, type RunningHelper } from "./server.js";
export { DEFAULT_LIMITS, PRODUCTION } from "./config.js";
export type { Dirs, HelperConfig, Limits, ToolPaths } from "./config.js";
export * as argv from "./argv.js";
export type { Argv } from "./argv.js";
export { TOOL_ENV } from "./exec.js";
export { escapePath, mountOptions, renderMountUnit, UNIT_MARKER } from "./mount-unit.js";
