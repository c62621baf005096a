/** `n` as an unsigned 32-bit number in 8 lower-case hex digits (`0x0000002a` → `"0000002a"`). */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
