// Timestamps are stored as ISO-8601 UTC strings so both engines compare and sort them the same way.
export function iso(d: Date): string {
  return d.toISOString();
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** SQLite hands booleans back as 0/1; PostgreSQL as true/false. */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}
