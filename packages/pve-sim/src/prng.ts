// Seeded randomness (sfc32), so MAC addresses, secrets, pids and metrics repeat for the same seed.

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  int(min: number, maxInclusive: number): number;
  hex(bytes: number): string;
  /** A random UUID-shaped string (version 4 bits set), as PVE token secrets look. */
  uuid(): string;
  /** A MAC address with PVE's default prefix BC:24:11. */
  mac(): string;
}

export function createPrng(seed: number): Prng {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b);
  let c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35);
  let d = 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  const byte = (): number => Math.floor(next() * 256);
  const hex = (bytes: number): string =>
    Array.from({ length: bytes }, () => byte().toString(16).padStart(2, "0")).join("");
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    hex,
    uuid() {
      const h = hex(16).split("");
      h[12] = "4";
      h[16] = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
      const s = h.join("");
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    mac: () =>
      ["BC", "24", "11", ...Array.from({ length: 3 }, () => hex(1).toUpperCase())].join(":"),
  };
}

/** A stateless, repeatable noise value in [0, 1) for (seed, a, b): usage figures that vary over time. */
export function hashNoise(seed: number, a: number, b = 0): number {
  let h =
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(a | 0, 0xc2b2ae35) ^
    Math.imul(b | 0, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
