// Places where PVE's implementation answers differently from its declared `returns` schema; the response
// validator skips exactly these (test/schema-gaps.test.ts documents each one).

/** "METHOD /path" → property paths ("[]" for any array index) that PVE leaves out or sets to null. */
export const KNOWN_RETURN_GAPS: Readonly<Record<string, readonly string[]>> = {
  // Diskmanage.pm sets `mounted` only for mounted disks and `osdid-list` to undef unless Ceph uses the disk,
  // although the schema declares both as required.
  "GET /nodes/{node}/disks/list": ["[].mounted", "[].osdid-list"],
};
