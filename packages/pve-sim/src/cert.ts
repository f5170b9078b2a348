// A self-signed TLS certificate made at start with node:crypto and a small DER encoder, so no private key is
// ever committed and no openssl binary is needed. EC P-256, subjectAltName IP:127.0.0.1, DNS:localhost.
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4 } from "node:net";

const tlv = (tag: number, body: Buffer): Buffer => {
  const len = body.length;
  let head: Buffer;
  if (len < 0x80) head = Buffer.from([tag, len]);
  else if (len < 0x100) head = Buffer.from([tag, 0x81, len]);
  else if (len < 0x10000) head = Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  else head = Buffer.from([tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
  return Buffer.concat([head, body]);
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));

function integer(b: Buffer): Buffer {
  let body = b;
  while (body.length > 1 && body[0] === 0 && ((body[1] ?? 0) & 0x80) === 0) body = body.subarray(1);
  if (((body[0] ?? 0) & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (cn: string): Buffer =>
  seq(
    set(seq(oid("2.5.4.10"), utf8("PVE Simulator"))),
    set(seq(oid("2.5.4.11"), utf8("PVE Cluster Node"))),
    set(seq(oid("2.5.4.3"), utf8(cn))),
  );

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

export interface GeneratedCert {
  certPem: string;
  keyPem: string;
  /** "AB:CD:..." like X509Certificate.fingerprint256. */
  fingerprint256: string;
}

/** Makes a fresh self-signed certificate valid for `hosts` (IPs and DNS names) from yesterday for ~2 years. */
export function generateCertificate(
  hosts: readonly string[],
  commonName = "pve-sim",
): GeneratedCert {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const keyId = createHash("sha1").update(spki).digest();
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const now = Date.now();
  const altNames = hosts.map((h) =>
    isIPv4(h)
      ? tlv(0x87, Buffer.from(h.split(".").map(Number)))
      : tlv(0x82, Buffer.from(h, "ascii")),
  );
  const extensions = seq(
    extension("2.5.29.19", true, seq(bool(true))), // basicConstraints CA:TRUE (self-signed anchor)
    extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x02, 0x84]))), // digitalSignature, keyCertSign
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage serverAuth
    extension("2.5.29.14", false, octets(keyId)), // subjectKeyIdentifier
    extension("2.5.29.35", false, seq(tlv(0x80, keyId))), // authorityKeyIdentifier
    extension("2.5.29.17", false, seq(...altNames)), // subjectAltName
  );
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaSha256,
    name(commonName),
    seq(time(new Date(now - 86_400_000)), time(new Date(now + 730 * 86_400_000))),
    name(commonName),
    spki,
    explicit(3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = seq(tbs, ecdsaSha256, bitString(signature));
  const body = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  const certPem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { certPem, keyPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
}
