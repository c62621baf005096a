/**
 * The one table of flag reads, shared by the scanner (`code-refs`) and `cleanup`, so both agree on what reads a
 * flag: the React hooks, `<Flag name>`, the client and server-side reader methods (`client.*`, `req.flags.*`,
 * Next's `getFlags()`), and OpenFeature's getters.
 */
import { ts } from 'ts-morph';

/** What a read returns: a boolean, the value, the variant name, a details object, or a bound handle. */
export type ReadKind = 'boolean' | 'value' | 'variant' | 'details' | 'handle';

const HOOKS: Record<string, ReadKind> = { useFlag: 'boolean', useFlagValue: 'value', useVariant: 'variant', useFlagDetails: 'details' };

const METHODS: Record<string, ReadKind> = {
  isEnabled: 'boolean',
  getValue: 'value',
  getDetails: 'details',
  variant: 'variant',
  flag: 'handle',
  // OpenFeature
  getBooleanValue: 'value',
  getStringValue: 'value',
  getNumberValue: 'value',
  getObjectValue: 'value',
  getBooleanDetails: 'details',
  getStringDetails: 'details',
  getNumberDetails: 'details',
  getObjectDetails: 'details',
};

/** The file extensions parsed with the TypeScript AST (other files only see the text patterns). */
export const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export interface Read {
  kind: ReadKind;
  /** How the flag is read, e.g. `useFlag`, `.isEnabled`, `<Flag>`. */
  via: string;
  /** The node that names the key (the first argument, or the `name` attribute's value). */
  keyNode: ts.Expression;
  /** The call or JSX element. */
  node: ts.Node;
}

/** The read `node` is, if it is one. A method read needs a key argument; which object it is called on is not checked. */
export function classifyRead(node: ts.Node): Read | undefined {
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    const first = node.arguments[0];
    if (first === undefined) return undefined;
    if (ts.isIdentifier(callee) && Object.hasOwn(HOOKS, callee.text)) return { kind: HOOKS[callee.text]!, via: callee.text, keyNode: first, node };
    if (ts.isPropertyAccessExpression(callee) && Object.hasOwn(METHODS, callee.name.text)) {
      const name = callee.name.text;
      return { kind: METHODS[name]!, via: `.${name}`, keyNode: first, node };
    }
    return undefined;
  }
  if ((ts.isJsxSelfClosingElement(node) || ts.isJsxOpeningElement(node)) && node.tagName.getText() === 'Flag') {
    for (const attribute of node.attributes.properties) {
      if (!ts.isJsxAttribute(attribute) || attribute.name.getText() !== 'name' || attribute.initializer === undefined) continue;
      const init = attribute.initializer;
      const keyNode = ts.isJsxExpression(init) ? init.expression : init;
      if (keyNode === undefined) return undefined;
      return { kind: 'boolean', via: '<Flag>', keyNode, node };
    }
  }
  return undefined;
}

/** `const NAME = 'text'` declarations of a file, so `useFlag(KEY)` counts as a read of KEY's text. */
export function stringConstants(file: ts.SourceFile): Map<string, string> {
  const found = new Map<string, string | null>();
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = node.initializer;
      const text = ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init) ? init.text : undefined;
      // A name declared twice (two scopes) is ambiguous: treat it as unknown.
      found.set(node.name.text, found.has(node.name.text) || text === undefined ? null : text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return new Map([...found].filter((entry): entry is [string, string] => entry[1] !== null));
}

/** The key a key node names when it is known before run time: a literal, or a string constant of the file. */
export function staticKey(node: ts.Expression, constants: ReadonlyMap<string, string>): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return staticKey(node.expression, constants);
  if (ts.isIdentifier(node)) return constants.get(node.text);
  return undefined;
}

/**
 * Whether a key built at run time may be `key`: a template or a `+` concatenation whose literal parts fit it (a
 * prefix, a suffix). An opaque variable (a wrapper component's prop) is not taken for any one flag.
 */
export function mayBuildKey(node: ts.Expression, key: string): boolean {
  if (ts.isTemplateExpression(node)) {
    const tail = node.templateSpans[node.templateSpans.length - 1]?.literal.text ?? '';
    return key.startsWith(node.head.text) && key.endsWith(tail);
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = ts.isStringLiteral(node.left) ? node.left.text : '';
    const right = ts.isStringLiteral(node.right) ? node.right.text : '';
    return key.startsWith(left) && key.endsWith(right);
  }
  return false;
}
