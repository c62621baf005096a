/**
 * `keys` ordered so every key comes after the keys it references (`referencesOf`, unknown references ignored):
 * prerequisites before the flags that depend on them, segments before the segments that reference them. The
 * parser has rejected cycles. Iterative, so long chains cannot overflow the stack.
 */
export function dependencyOrder(keys: readonly string[], referencesOf: (key: string) => readonly string[]): string[] {
  const known = new Set(keys);
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of keys) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: Array<{ key: string; refs: readonly string[]; next: number }> = [{ key: root, refs: referencesOf(root), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { key: string; refs: readonly string[]; next: number };
      if (top.next >= top.refs.length) {
        order.push(top.key);
        stack.pop();
        continue;
      }
      const dep = top.refs[top.next++] as string;
      if (!seen.has(dep) && known.has(dep)) {
        seen.add(dep);
        stack.push({ key: dep, refs: referencesOf(dep), next: 0 });
      }
    }
  }
  return order;
}
