// Errors are matched by their stable `code` (isPveError, hasPveCode, isHelperError, isSimError…), never by class:
// this scans every production source for `instanceof <SomeError>` outside the file declaring the class.
import assert from "node:assert/strict";
import { test } from "node:test";
import jsonrpc from "vscode-jsonrpc";
import {
  HelperError,
  HelperFailure,
  isHelperError,
  isHelperFailure,
  isWireError,
} from "@felhom/helper-protocol";
import { isPveApiError, isSimError, paramError, SimError } from "../packages/pve-sim/src/errors.js";
import {
  isPropertyStringError,
  PropertyStringError,
} from "../packages/pve-sim/src/schema/property-string.js";
import { ROOT } from "./fence/imports.js";
import { scanRepository, scanTexts } from "./support/error-instanceof.js";

test("errors by code – no production source matches an error by its class", () => {
  const { matches, files } = scanRepository(ROOT);
  assert.ok(files > 100, `scanned only ${files} files`);
  assert.deepEqual(
    matches.map((m) => `${m.file}:${m.line} instanceof ${m.name}: ${m.text}`),
    [],
  );
});

test("errors by code – the scanner finds class matches and leaves the rest (it can fail)", () => {
  const texts = new Map([
    [
      "packages/a/src/errors.ts",
      [
        "export class AError extends Error {}",
        "export class Refusal extends AError {}",
        "export class Odd extends Refusal {}",
        "export class Thing {}",
        "const own = (e: unknown) => e instanceof AError;",
      ].join("\n"),
    ],
    [
      "packages/a/src/use.ts",
      [
        "if (err instanceof AError) throw err;", // 1: declared here? no: flagged
        "const r = e instanceof Refusal ? 1 : 2;", // 2: subclass without the suffix
        "if (x instanceof Odd) {}", // 3: grandchild
        "if (err instanceof ZodError || err instanceof jsonrpc.ResponseError) {}", // 4: two foreign classes
        "if (err instanceof Error) {}", // not a taxonomy check
        "if (v instanceof Map || v instanceof Thing) {}", // not errors
      ].join("\n"),
    ],
  ]);
  const found = scanTexts(texts).map((m) => `${m.file}:${m.line}:${m.name}`);
  assert.deepEqual(found, [
    "packages/a/src/use.ts:1:AError",
    "packages/a/src/use.ts:2:Refusal",
    "packages/a/src/use.ts:3:Odd",
    "packages/a/src/use.ts:4:ZodError",
    "packages/a/src/use.ts:4:ResponseError",
  ]);
});

test("errors by code – the guards that replaced class checks match codes, not look-alikes", () => {
  // A JSON-RPC error answer (numeric code) versus the agent-side HelperError (string code).
  assert.equal(isWireError(new jsonrpc.ResponseError(-32004, "No such object")), true);
  assert.equal(isWireError(new HelperError("HELPER_CLOSED", "closed")), false);
  assert.equal(isHelperError(new jsonrpc.ResponseError(-32004, "No such object")), false);
  assert.equal(isWireError({ code: -32004, message: "not an Error" }), false);

  // A handler's failure names one of the contract's codes (never the two the transport owns).
  assert.equal(isHelperFailure(new HelperFailure("BUSY")), true);
  assert.equal(isHelperFailure(Object.assign(new Error("x"), { failure: "NOT_A_CODE" })), false);
  assert.equal(isHelperFailure(Object.assign(new Error("x"), { failure: "PARSE_ERROR" })), false);
  assert.equal(isHelperFailure({ failure: "BUSY" }), false);

  // The simulator's errors; request parameters that happen to carry a `code` are not errors.
  assert.equal(isPveApiError(paramError({ vmid: "bad" })), true);
  assert.equal(isSimError(paramError({ vmid: "bad" })), true);
  assert.equal(isPveApiError(new SimError("SIM_NOT_FOUND", "x")), false);
  assert.equal(isSimError(new SimError("SIM_NOT_FOUND", "x")), true);
  assert.equal(isPveApiError({ code: "PVE_HTTP_ERROR", node: "pve" }), false);
  assert.equal(isPropertyStringError(new PropertyStringError("format error\n", {})), true);
  assert.equal(isPropertyStringError(new Error("format error")), false);
});
