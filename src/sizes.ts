/**
 * Memory sizes as users write them and DuckDB reads them (4GB, 512MiB; KB, MB, GB, TB are powers
 * of 1000, KiB, MiB, GiB, TiB of 1024), and sizes printed for a reader.
 */

const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B)$/i;

/** A positive size as written, spaces removed ("2 MiB" → "2MiB"), or null when it is not one. */
export function normalizeSize(value: string): string | null {
  const match = SIZE.exec(value.trim());
  return match && Number(match[1]) > 0 ? `${match[1]}${match[2]}` : null;
}

/** The bytes of a size, or null when it is not one. */
export function memorySizeBytes(size: string): number | null {
  const [, amount, unit = ""] = SIZE.exec(size.trim()) ?? [];
  if (!amount) return null;
  const power = "KMGT".indexOf(unit.charAt(0).toUpperCase()) + 1;
  return Number(amount) * (unit.length === 3 ? 1024 : 1000) ** power;
}

/** "1.5 GiB": sizes for a reader, in binary units as `df -h` prints them. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
