// Turns a decoded parameter value into the string Perl would see (objects as JSON, absent as "").

export function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v === undefined || v === null) return "";
  return JSON.stringify(v);
}
