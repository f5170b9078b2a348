// Runs one suite in this process (run.ts starts one process per suite, so each suite's memory figures are its
// own) and prints its result as the last stdout line, prefixed with RESULT_PREFIX.
import { PROFILES, RESULT_PREFIX, type Profile } from "./lib/result.js";
import { SUITES } from "./suites.js";

const [id, profile] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === id);
if (!suite || !PROFILES.includes(profile as Profile)) {
  process.stderr.write(
    `usage: suite-main.ts SUITE test|quick|full (suites: ${SUITES.map((s) => s.id).join(", ")})\n`,
  );
  process.exit(2);
}
const result = await suite.run(profile as Profile);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
