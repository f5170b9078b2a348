// The API token value type: id validation, parsing of ID=SECRET, and the secret never printing.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";
import { ApiToken, PveArgumentError, Secret, toApiToken } from "@felhom/pve-client";

const SECRET = "5f0c5c8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f";

test("ApiToken – parses USER@REALM!TOKENID=SECRET", () => {
  const t = ApiToken.parse(`felhom@pve!agent=${SECRET}`);
  assert.equal(t.id, "felhom@pve!agent");
  assert.equal(t.user, "felhom@pve");
  assert.equal(t.tokenName, "agent");
  assert.equal(t.secret.reveal(), SECRET);
  assert.equal(t.authorizationHeader(), `PVEAPIToken=felhom@pve!agent=${SECRET}`);
});

test("ApiToken – accepts a user name that itself contains @", () => {
  const t = new ApiToken("ops@example.com@pve!ci", SECRET);
  assert.equal(t.user, "ops@example.com@pve");
  assert.equal(t.tokenName, "ci");
});

test("ApiToken – refuses malformed ids and secrets without echoing the input", () => {
  for (const bad of [
    "root@pam",
    "root!tok",
    "root@pam!",
    "root@1pam!tok",
    "ro ot@pam!tok",
    "root@pam!t:k",
  ]) {
    assert.throws(() => new ApiToken(bad, SECRET), PveArgumentError, bad);
  }
  assert.throws(() => new ApiToken("root@pam!tok", "has space"), PveArgumentError);
  assert.throws(() => new ApiToken("root@pam!tok", ""), PveArgumentError);
  try {
    ApiToken.parse(`not-a-token-${SECRET}`);
    assert.fail("should throw");
  } catch (err) {
    assert.ok(err instanceof PveArgumentError);
    assert.ok(!String(err.message).includes(SECRET));
    assert.ok(!inspect(err).includes(SECRET));
  }
});

test("Secret – prints *** through toString, template strings, JSON and util.inspect", () => {
  const s = new Secret(SECRET);
  assert.equal(String(s), "***");
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the accident under test
  assert.equal(`${s}`, "***");
  assert.equal(JSON.stringify({ s }), '{"s":"***"}');
  assert.ok(!inspect(s, { showHidden: true, depth: 5 }).includes(SECRET));
  const t = new ApiToken("root@pam!tok", s);
  for (const shown of [
    String(t),
    JSON.stringify(t),
    inspect(t, { showHidden: true }),
    inspect({ t }),
  ]) {
    assert.ok(!shown.includes(SECRET), shown);
  }
  assert.ok(JSON.stringify(t).includes("root@pam!tok"));
});

test("toApiToken – accepts a string, an object or a token", () => {
  const a = toApiToken(`root@pam!tok=${SECRET}`);
  const b = toApiToken({ id: "root@pam!tok", secret: SECRET });
  assert.equal(a.id, b.id);
  assert.equal(toApiToken(a), a);
});
