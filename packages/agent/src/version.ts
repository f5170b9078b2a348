// The agent's version, printed by `--version` and logged at start (kept in step with package.json by a test).
export const VERSION = "0.1.0";
