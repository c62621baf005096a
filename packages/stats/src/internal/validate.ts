// Argument checks shared by every export. These are library calls with plain numbers, so a bad number is a
// programming error: throw a RangeError that names the argument and says what is accepted, instead of returning NaN
// that would surface far away (a dashboard cell, a JSON `null`).

const prefix = '@halyard/stats:';

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
}

/** A finite number, optionally bounded. */
export function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${prefix} ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

export function nonNegative(value: unknown, name: string): number {
  const checked = finite(value, name);
  if (checked < 0) throw new RangeError(`${prefix} ${name} must be ≥ 0, got ${checked}`);
  return checked;
}

export function positive(value: unknown, name: string): number {
  const checked = finite(value, name);
  if (checked <= 0) throw new RangeError(`${prefix} ${name} must be > 0, got ${checked}`);
  return checked;
}

export function atLeast(value: unknown, minimum: number, name: string, why: string): number {
  const checked = finite(value, name);
  if (checked < minimum) throw new RangeError(`${prefix} ${name} must be ≥ ${minimum} (${why}), got ${checked}`);
  return checked;
}

/** A probability strictly between 0 and 1 (α, power, credibility, a baseline rate). */
export function openUnit(value: unknown, name: string): number {
  const checked = finite(value, name);
  if (checked <= 0 || checked >= 1) throw new RangeError(`${prefix} ${name} must be between 0 and 1 (exclusive), got ${checked}`);
  return checked;
}

/** A probability in [0, 1] (a p-value). */
export function closedUnit(value: unknown, name: string): number {
  const checked = finite(value, name);
  if (checked < 0 || checked > 1) throw new RangeError(`${prefix} ${name} must be between 0 and 1, got ${checked}`);
  return checked;
}

export function array(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new RangeError(`${prefix} ${name} must be an array of numbers, got ${describe(value)}`);
  return value;
}

export function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new RangeError(`${prefix} ${name} must be an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

export function fail(message: string): never {
  throw new RangeError(`${prefix} ${message}`);
}
