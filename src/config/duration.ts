const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `30m`, `3s`, `1h`, `2d` or a bare number of seconds into seconds; null when malformed. */
export function parseDurationSeconds(raw: string): number | null {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(raw);
  if (!match) {
    return null;
  }
  const value = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()];
  return value > 0 ? value : null;
}
