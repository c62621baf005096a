import { describe, expect, it } from 'vitest';
import * as core from '@halyard/core';

describe('@halyard/core entry', () => {
  it('resolves from source in tests', () => {
    expect(typeof core).toBe('object');
  });
});
