/** Normalises anything thrown into an Error (fetch rejects with DOMExceptions, user code may throw strings). */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string') {
    return new Error(value.message);
  }
  return new Error(String(value));
}

export function describeError(value: unknown): string {
  return toError(value).message;
}
