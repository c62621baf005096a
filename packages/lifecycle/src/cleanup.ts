import { readFileSync, writeFileSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { Node, Project, SyntaxKind, ts, type SourceFile } from 'ts-morph';
import type { FlagDefinition, JsonValue } from '@halyard/core';
import { listFiles } from './internal/files';
import { SCRIPT_EXTENSIONS, classifyRead, mayBuildKey, stringConstants, staticKey } from './internal/reads';

/*
 * How a flag is removed. Every change is a text edit located with the ts-morph AST, and the file is parsed again
 * after each one, so what is not edited keeps its bytes (formatting, comments). The cleanup first refuses what it
 * cannot do (a run-time key that may be this flag, details, handles); then it replaces one read at a time with
 * the kept value and simplifies what that value feeds until nothing changes: a literal it wrote is "hot" (its
 * exact range is remembered across edits), and only constructs whose input is hot are simplified, so code that
 * merely looks similar (`if (DEBUG && true)`) is left alone. Last, imports, plain constants and local functions
 * whose uses all went are removed.
 */

/** What to remove and what it leaves behind: the flag key, and the variant every read now gets. */
export interface CleanupTarget {
  key: string;
  variant: string;
  /** The kept variant's value. */
  value: JsonValue;
}

/** Why a file was left alone; nothing of it is changed. */
export interface CleanupRefusal {
  file: string;
  line: number;
  reason: string;
}

export interface CleanupFileResult {
  file: string;
  before: string;
  after: string;
  /** Unified diff (empty when nothing changed). */
  diff: string;
  /** Reads of the flag that were replaced. */
  reads: number;
}

export type CleanupSourceResult = { ok: true; output: string; reads: number } | { ok: false; refusal: CleanupRefusal };

/**
 * The kept variant's value: from the flag's definition when there is one, else `on`/`true` → `true` and
 * `off`/`false` → `false` (boolean flags). Throws an error that names the fix otherwise.
 *
 * @example
 * const target = { key: 'old-banner', variant: 'on', value: keptValue('on') };
 */
export function keptValue(variant: string, definition?: FlagDefinition): JsonValue {
  if (definition) {
    if (!Object.hasOwn(definition.variants, variant)) {
      throw new Error(`@halyard/lifecycle: the flag has no variant "${variant}"; keep one of: ${Object.keys(definition.variants).join(', ')}`);
    }
    return definition.variants[variant]!;
  }
  if (variant === 'on' || variant === 'true') return true;
  if (variant === 'off' || variant === 'false') return false;
  throw new Error(`@halyard/lifecycle: the value of variant "${variant}" is unknown without the flag's definition; pass the flags document (--document) or --env`);
}

const RENDERS_NOTHING = new Set(['false', 'null', 'undefined', 'true']);

interface Literal {
  truthy: boolean;
  /** Primitive value, for comparisons (`undefined` for objects and arrays). */
  primitive?: string | number | boolean | null | undefined;
  isPrimitive: boolean;
}

function literalOf(node: Node): Literal | undefined {
  const kind = node.getKind();
  if (kind === SyntaxKind.TrueKeyword) return { truthy: true, primitive: true, isPrimitive: true };
  if (kind === SyntaxKind.FalseKeyword) return { truthy: false, primitive: false, isPrimitive: true };
  if (kind === SyntaxKind.NullKeyword) return { truthy: false, primitive: null, isPrimitive: true };
  if (Node.isIdentifier(node) && node.getText() === 'undefined') return { truthy: false, primitive: undefined, isPrimitive: true };
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    const text = node.getLiteralText();
    return { truthy: text !== '', primitive: text, isPrimitive: true };
  }
  if (Node.isNumericLiteral(node)) {
    const value = node.getLiteralValue();
    return { truthy: value !== 0, primitive: value, isPrimitive: true };
  }
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken && Node.isNumericLiteral(node.getOperand())) {
    const value = -(node.getOperand() as import('ts-morph').NumericLiteral).getLiteralValue();
    return { truthy: value !== 0, primitive: value, isPrimitive: true };
  }
  if (Node.isObjectLiteralExpression(node) || Node.isArrayLiteralExpression(node)) return { truthy: true, isPrimitive: false };
  return undefined;
}

/** JavaScript source for a kept value, in the file's quote style. */
function valueText(value: JsonValue, quote: string): string {
  if (typeof value === 'string' && quote === "'") return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  return JSON.stringify(value);
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
const indentAt = (text: string, offset: number) => {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
};

/**
 * Widens [start, end) to whole lines when only whitespace surrounds it, so a removal leaves no blank line; with
 * `comments`, also the `//` lines right above (they describe what goes), and one of two blank lines it would
 * leave side by side.
 */
function wholeLines(text: string, start: number, end: number, comments = false): [number, number] {
  let from = start;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  let to = end;
  while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
  const lineStart = from === 0 || text[from - 1] === '\n';
  const lineEnd = to === text.length || text[to] === '\n' || text[to] === '\r';
  if (!lineStart || !lineEnd) return [start, end];
  if (text[to] === '\r') to++;
  if (text[to] === '\n') to++;
  if (comments) {
    for (;;) {
      const previousStart = text.lastIndexOf('\n', from - 2) + 1;
      if (from === 0 || !/^[ \t]*\/\/.*\n$/.test(text.slice(previousStart, from))) break;
      from = previousStart;
    }
  }
  const blankBefore = from === 0 || /\n[ \t]*\n$/.test(text.slice(Math.max(0, from - 200), from)) || /[{(]\s*$/.test(text.slice(Math.max(0, from - 200), from));
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(to));
  if (blankBefore && blankAfter) to += blankAfter[0].length;
  return [from, to];
}

/** `text` (which starts on a line indented `from`) moved to a line indented `to`: its later lines shift along. */
function shiftIndent(text: string, from: string, to: string): string {
  if (from === to) return text;
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.startsWith(from) ? to + line.slice(from.length) : line))
    .join('\n');
}

/** Text of `text` re-indented: the lines' common indentation becomes `indent` (the first line gets none). */
function reindent(body: string, indent: string): string {
  const lines = body.replace(/^\s*\n/, '').replace(/\n\s*$/, '').split('\n');
  const common = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((line, i) => (line.trim() === '' ? '' : `${i === 0 ? '' : indent}${line.slice(Number.isFinite(common) ? common : 0)}`)).join('\n');
}

interface Edit {
  start: number;
  end: number;
  text: string;
  /** The new text is a value the next simplification may build on. */
  hot?: boolean;
}

class Refused extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** One file being rewritten: the text, its parse, and the exact ranges of the values this cleanup wrote. */
class Rewrite {
  // A project per file: a shared one served stale programs to findReferences after files were swapped.
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve, noLib: true },
  });
  source: SourceFile;
  /** Ranges [start, end) of literals and expressions written by this cleanup. */
  hot: Array<[number, number]> = [];
  reads = 0;

  constructor(
    readonly name: string,
    public text: string,
  ) {
    this.source = this.parse();
  }

  private parse(): SourceFile {
    // One fixed path in the in-memory project: only the extension matters (TSX or not, JS or not).
    return this.project.createSourceFile(`/halyard-cleanup/file${extname(this.name) || '.tsx'}`, this.text, { overwrite: true });
  }

  apply(edits: Edit[]): void {
    for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
      const delta = edit.text.length - (edit.end - edit.start);
      this.hot = this.hot.flatMap(([s, e]): Array<[number, number]> => {
        if (e <= edit.start) return [[s, e]];
        if (s >= edit.end) return [[s + delta, e + delta]];
        // A value inside text that moves (a kept branch) stays hot where it lands, when that is unambiguous.
        if (s < edit.start || e > edit.end) return [];
        const moved = this.text.slice(s, e);
        const at = edit.text.indexOf(moved);
        return at !== -1 && edit.text.lastIndexOf(moved) === at ? [[edit.start + at, edit.start + at + moved.length]] : [];
      });
      this.text = this.text.slice(0, edit.start) + edit.text + this.text.slice(edit.end);
      if (edit.hot) {
        const lead = edit.text.length - edit.text.trimStart().length;
        this.hot.push([edit.start + lead, edit.start + edit.text.trimEnd().length]);
      }
    }
    this.source = this.parse();
  }

  isHot(node: Node): boolean {
    const start = node.getStart();
    const end = node.getEnd();
    return this.hot.some(([s, e]) => s === start && e === end);
  }
}

/** A statement list's statements (block, file, case clause). */
function statementsOf(node: Node): Node[] | undefined {
  if (Node.isBlock(node) || Node.isSourceFile(node) || Node.isCaseClause(node) || Node.isDefaultClause(node) || Node.isModuleBlock(node)) return node.getStatements();
  return undefined;
}

/** Reading it has no effect: names, property reads, literals. */
function isPure(node: Node): boolean {
  if (Node.isIdentifier(node) || Node.isThisExpression(node) || literalOf(node) !== undefined) return true;
  if (Node.isPropertyAccessExpression(node)) return isPure(node.getExpression());
  if (Node.isParenthesizedExpression(node)) return isPure(node.getExpression());
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.ExclamationToken) return isPure(node.getOperand());
  return false;
}

/** Only the truthiness of `node` matters where it stands (an if, a ternary's condition, a `!`). */
function isCondition(node: Node): boolean {
  const parent = node.getParent();
  if (!parent) return false;
  if (Node.isIfStatement(parent) || Node.isWhileStatement(parent)) return parent.getExpression() === node;
  if (Node.isConditionalExpression(parent)) return parent.getCondition() === node;
  if (Node.isPrefixUnaryExpression(parent)) return parent.getOperatorToken() === SyntaxKind.ExclamationToken;
  if (Node.isParenthesizedExpression(parent)) return isCondition(parent);
  if (Node.isBinaryExpression(parent) && [SyntaxKind.AmpersandAmpersandToken, SyntaxKind.BarBarToken].includes(parent.getOperatorToken().getKind())) return isCondition(parent);
  return false;
}

const endsFlow = (node: Node | undefined) => node !== undefined && (Node.isReturnStatement(node) || Node.isThrowStatement(node));

function jsxOf(node: Node): Node | undefined {
  if (Node.isParenthesizedExpression(node)) return jsxOf(node.getExpression());
  return Node.isJsxElement(node) || Node.isJsxSelfClosingElement(node) || Node.isJsxFragment(node) ? node : undefined;
}

const inJsxChildren = (node: Node) => {
  const parent = node.getParent();
  return parent !== undefined && (Node.isJsxElement(parent) || Node.isJsxFragment(parent));
};

class CleanupRewriter {
  private readonly rewrite: Rewrite;
  private readonly quote: string;

  constructor(
    private readonly target: CleanupTarget,
    file: string,
    text: string,
  ) {
    this.rewrite = new Rewrite(file, text);
    const at = text.indexOf(target.key);
    this.quote = at > 0 && text[at - 1] === '"' ? '"' : "'";
  }

  run(): CleanupSourceResult {
    try {
      this.refuseWhatCannotBeCleaned();
      const before = this.identifierCounts();
      for (let step = 0; step < 10_000; step++) {
        const edits = this.nextRead() ?? this.nextSimplification();
        if (edits === undefined) break;
        this.rewrite.apply(edits);
      }
      this.removeLeftUnused(before);
      return { ok: true, output: this.rewrite.text, reads: this.rewrite.reads };
    } catch (error) {
      if (error instanceof Refused) return { ok: false, refusal: { file: this.rewrite.name, line: error.line, reason: error.message } };
      throw error;
    }
  }

  private line(node: Node): number {
    return lineOf(this.rewrite.text, node.getStart());
  }

  /** Refuses before any edit: a read whose key is built at run time, and reads that return objects. */
  private refuseWhatCannotBeCleaned(): void {
    const source = this.rewrite.source;
    const constants = stringConstants(source.compilerNode);
    source.forEachDescendant((node) => {
      const read = classifyRead(node.compilerNode);
      if (!read) return;
      const key = staticKey(read.keyNode, constants);
      if (key === undefined) {
        if (mayBuildKey(read.keyNode, this.target.key)) {
          throw new Refused(this.line(node), `${read.via}(${read.keyNode.getText()}) builds its flag key at run time, so it may read "${this.target.key}": clean this file up by hand`);
        }
        return;
      }
      if (key !== this.target.key) return;
      if (read.kind === 'details' || read.kind === 'handle') {
        throw new Refused(this.line(node), `${read.via}("${key}") returns ${read.kind === 'details' ? 'evaluation details' : 'a flag handle'}, not a value: replace its uses by hand, then run cleanup again`);
      }
      if (read.via === '<Flag>' && (Node.isJsxOpeningElement(node) || Node.isJsxSelfClosingElement(node))) {
        const value = node.getAttribute('value');
        if (value && Node.isJsxAttribute(value)) {
          const init = value.getInitializer();
          const expression = init && Node.isJsxExpression(init) ? init.getExpression() : init;
          if (!expression || !literalOf(expression)?.isPrimitive) throw new Refused(this.line(node), `<Flag name="${key}" value={…}> compares with a value known only at run time: clean it up by hand`);
        }
      }
    });
  }

  /** Replaces the first remaining read of the flag with the kept value. */
  private nextRead(): Edit[] | undefined {
    const source = this.rewrite.source;
    const constants = stringConstants(source.compilerNode);
    let edits: Edit[] | undefined;
    source.forEachDescendant((node, traversal) => {
      const read = classifyRead(node.compilerNode);
      if (!read || staticKey(read.keyNode, constants) !== this.target.key) return;
      this.rewrite.reads++;
      const { value, variant } = this.target;
      if (read.via === '<Flag>') {
        const element = Node.isJsxOpeningElement(node) ? node.getParentOrThrow() : node;
        edits = this.replaceFlagElement(element, node);
      } else {
        const text = read.kind === 'boolean' ? String(value === true) : read.kind === 'variant' ? valueText(variant, this.quote) : valueText(value, this.quote);
        edits = [{ start: node.getStart(), end: node.getEnd(), text, hot: true }];
      }
      traversal.stop();
    });
    return edits;
  }

  /** `<Flag name on off>` (or children): the branch the kept variant renders, or nothing. */
  private replaceFlagElement(element: Node, opening: Node): Edit[] {
    if (!Node.isJsxOpeningElement(opening) && !Node.isJsxSelfClosingElement(opening)) return [];
    const attributeExpression = (name: string): Node | undefined => {
      const attribute = opening.getAttribute(name);
      if (!attribute || !Node.isJsxAttribute(attribute)) return undefined;
      const init = attribute.getInitializer();
      return init && Node.isJsxExpression(init) ? init.getExpression() : init;
    };
    const variantAttr = attributeExpression('variant');
    const valueAttr = attributeExpression('value');
    const { value, variant } = this.target;
    const match = variantAttr
      ? literalOf(variantAttr)?.primitive === variant
      : valueAttr
        ? literalOf(valueAttr)?.primitive === value
        : value === true;
    const on = attributeExpression('on');
    const off = attributeExpression('off');
    // What the element renders now: JSX, plain text, any other expression, or nothing.
    let branch: { kind: 'jsx' | 'text' | 'expression'; text: string } | undefined;
    const fromAttribute = (expression: Node) =>
      jsxOf(expression)
        ? { kind: 'jsx' as const, text: jsxOf(expression)!.getText() }
        : Node.isStringLiteral(expression)
          ? { kind: 'text' as const, text: expression.getLiteralText() }
          : { kind: 'expression' as const, text: expression.getText() };
    if (match && on) branch = fromAttribute(on);
    else if (match && Node.isJsxElement(element)) {
      const children = element.getJsxChildren().filter((child) => !(Node.isJsxText(child) && child.containsOnlyTriviaWhiteSpaces()));
      const only = children.length === 1 ? children[0]! : undefined;
      if (only && jsxOf(only)) branch = { kind: 'jsx', text: only.getText() };
      else if (children.length > 0) {
        const inner = this.rewrite.text.slice(element.getOpeningElement().getEnd(), element.getClosingElement().getStart()).trim();
        branch = { kind: 'jsx', text: `<>${inner}</>` };
      }
    } else if (!match && off) branch = fromAttribute(off);
    const start = element.getStart();
    const end = element.getEnd();
    if (inJsxChildren(element)) {
      if (branch === undefined) {
        const [from, to] = wholeLines(this.rewrite.text, start, end);
        return [{ start: from, end: to, text: '' }];
      }
      return [{ start, end, text: branch.kind === 'expression' ? `{${branch.text}}` : branch.text }];
    }
    const text = branch === undefined ? 'null' : branch.kind === 'text' ? valueText(branch.text, this.quote) : branch.text;
    return [{ start, end, text, hot: true }];
  }

  /** One simplification of a construct whose input this cleanup wrote, or undefined at the fixpoint. */
  private nextSimplification(): Edit[] | undefined {
    let edits: Edit[] | undefined;
    this.rewrite.source.forEachDescendant((node, traversal) => {
      if (!this.rewrite.isHot(node)) return;
      edits = this.simplify(node);
      if (edits) traversal.stop();
    });
    return edits;
  }

  private simplify(node: Node): Edit[] | undefined {
    const parent = node.getParent();
    if (!parent) return undefined;
    const text = this.rewrite.text;
    const replaceParent = (replacement: string, hot = true): Edit[] => [{ start: parent.getStart(), end: parent.getEnd(), text: replacement, hot }];
    const literal = literalOf(node);

    // {<p>…</p>} in JSX children is just <p>…</p>; {false} and {null} render nothing.
    if (Node.isJsxExpression(parent) && inJsxChildren(parent)) {
      const jsx = jsxOf(node);
      if (jsx) return replaceParent(shiftIndent(jsx.getText(), indentAt(text, jsx.getStart()), indentAt(text, parent.getStart())), false);
      if (RENDERS_NOTHING.has(node.getText())) {
        const [from, to] = wholeLines(text, parent.getStart(), parent.getEnd());
        return [{ start: from, end: to, text: '' }];
      }
      return undefined;
    }
    // <Price currency={'EUR'} /> reads better as currency="EUR".
    if (Node.isJsxExpression(parent) && Node.isJsxAttribute(parent.getParent()) && Node.isStringLiteral(node) && !/["\\\n]/.test(node.getLiteralText())) {
      return replaceParent(JSON.stringify(node.getLiteralText()), false);
    }
    // `…${'old'}…` is just `…old…`.
    if (Node.isTemplateSpan(parent) && literal?.isPrimitive && literal.primitive !== undefined && literal.primitive !== null) {
      const start = node.getStart();
      const end = node.getEnd();
      if (text.slice(start - 2, start) === '${' && text[end] === '}') {
        const value = String(literal.primitive).replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
        return [{ start: start - 2, end: end + 1, text: value }];
      }
    }
    if (Node.isParenthesizedExpression(parent) && literal) return replaceParent(node.getText());
    if (Node.isAwaitExpression(parent) && literal) return replaceParent(node.getText());
    // The rules below start from a value; a kept JSX branch only matters in JSX children (above).
    if (!literal) return undefined;
    if (Node.isPrefixUnaryExpression(parent) && parent.getOperatorToken() === SyntaxKind.ExclamationToken) return replaceParent(String(!literal.truthy));
    if (Node.isBinaryExpression(parent)) {
      const operator = parent.getOperatorToken().getKind();
      const left = parent.getLeft();
      const right = parent.getRight();
      const other = left === node ? right : left;
      if ([SyntaxKind.EqualsEqualsEqualsToken, SyntaxKind.ExclamationEqualsEqualsToken, SyntaxKind.EqualsEqualsToken, SyntaxKind.ExclamationEqualsToken].includes(operator)) {
        const otherLiteral = literalOf(other);
        if (!literal.isPrimitive || !otherLiteral?.isPrimitive) return undefined;
        const loose = operator === SyntaxKind.EqualsEqualsToken || operator === SyntaxKind.ExclamationEqualsToken;
        // eslint-disable-next-line eqeqeq
        const equal = loose ? literal.primitive == otherLiteral.primitive : literal.primitive === otherLiteral.primitive;
        const negated = operator === SyntaxKind.ExclamationEqualsEqualsToken || operator === SyntaxKind.ExclamationEqualsToken;
        return replaceParent(String(negated ? !equal : equal));
      }
      if (left !== node) {
        // `user.admin && false` in a condition is false (and `x || true` true) when reading x does nothing else.
        const decides = (operator === SyntaxKind.AmpersandAmpersandToken && !literal.truthy) || (operator === SyntaxKind.BarBarToken && literal.truthy);
        if (decides) return isPure(left) && isCondition(parent) ? replaceParent(node.getText()) : undefined;
        // `x && true` and `x || false` are as truthy as x.
        return isCondition(parent) ? replaceParent(left.getText(), false) : undefined;
      }
      const keepRight = (): Edit[] => {
        const rightText = right.getText();
        return replaceParent(rightText, literalOf(right) !== undefined || jsxOf(right) !== undefined);
      };
      if (operator === SyntaxKind.AmpersandAmpersandToken) return literal.truthy ? keepRight() : replaceParent(node.getText());
      if (operator === SyntaxKind.BarBarToken) return literal.truthy ? replaceParent(node.getText()) : keepRight();
      if (operator === SyntaxKind.QuestionQuestionToken) return literal.primitive === null || (literal.isPrimitive && literal.primitive === undefined) ? keepRight() : replaceParent(node.getText());
      return undefined;
    }
    if (Node.isConditionalExpression(parent) && parent.getCondition() === node) {
      const chosen = literal.truthy ? parent.getWhenTrue() : parent.getWhenFalse();
      return replaceParent(chosen.getText(), literalOf(chosen) !== undefined || jsxOf(chosen) !== undefined);
    }
    if (Node.isIfStatement(parent) && parent.getExpression() === node) return this.simplifyIf(parent, literal.truthy);
    if (Node.isVariableDeclaration(parent) && parent.getInitializer() === node && literal.isPrimitive) return this.inlineConstant(parent, node.getText());
    return undefined;
  }

  /** `if (true) A else B` becomes A's statements; `if (false) A` disappears; a kept `return` ends the block. */
  private simplifyIf(statement: Node, truthy: boolean): Edit[] | undefined {
    if (!Node.isIfStatement(statement)) return undefined;
    const text = this.rewrite.text;
    const chosen = truthy ? statement.getThenStatement() : statement.getElseStatement();
    const container = statement.getParentOrThrow();
    if (Node.isIfStatement(container)) {
      // `else if (…)`: the chosen branch becomes the else branch, or the else goes.
      if (chosen) return [{ start: statement.getStart(), end: statement.getEnd(), text: chosen.getText() }];
      return [{ start: container.getThenStatement().getEnd(), end: statement.getEnd(), text: '' }];
    }
    const siblings = statementsOf(container);
    if (!siblings) {
      // The only statement of a loop or arrow body without braces: keep the branch, or an empty block.
      return [{ start: statement.getStart(), end: statement.getEnd(), text: chosen ? chosen.getText() : '{}' }];
    }
    if (!chosen) {
      const [from, to] = wholeLines(text, statement.getStart(), statement.getEnd(), true);
      return [{ start: from, end: to, text: '' }];
    }
    const inner = Node.isBlock(chosen) ? chosen.getStatements() : [chosen];
    const indent = indentAt(text, statement.getStart());
    let body = Node.isBlock(chosen) ? reindent(text.slice(chosen.getStart() + 1, chosen.getEnd() - 1), indent) : chosen.getText();
    let end = statement.getEnd();
    const index = siblings.indexOf(statement);
    if (endsFlow(inner[inner.length - 1]) && index < siblings.length - 1) end = siblings[siblings.length - 1]!.getEnd();
    if (body.trim() === '') {
      const [from, to] = wholeLines(text, statement.getStart(), end);
      return [{ start: from, end: to, text: '' }];
    }
    body = body.replace(/\s+$/, '');
    return [{ start: statement.getStart(), end, text: body }];
  }

  /** `const on = true;` — every use of `on` gets the value, and the declaration goes. */
  private inlineConstant(declaration: Node, value: string): Edit[] | undefined {
    if (!Node.isVariableDeclaration(declaration)) return undefined;
    const name = declaration.getNameNode();
    const list = declaration.getParent();
    const statement = list?.getParent();
    if (!Node.isIdentifier(name) || !Node.isVariableDeclarationList(list) || !Node.isVariableStatement(statement)) return undefined;
    if (list.getDeclarationKind() !== 'const' || statement.isExported()) return undefined;
    const edits: Edit[] = [];
    for (const reference of name.findReferencesAsNodes()) {
      if (reference === name || reference.getStart() === name.getStart()) continue;
      const parent = reference.getParent();
      if (parent && Node.isShorthandPropertyAssignment(parent)) edits.push({ start: parent.getStart(), end: parent.getEnd(), text: `${name.getText()}: ${value}` });
      else edits.push({ start: reference.getStart(), end: reference.getEnd(), text: value, hot: true });
    }
    const text = this.rewrite.text;
    if (list.getDeclarations().length === 1) {
      const [from, to] = wholeLines(text, statement.getStart(), statement.getEnd(), true);
      edits.push({ start: from, end: to, text: '' });
    } else {
      const all = list.getDeclarations();
      const index = all.indexOf(declaration);
      const next = all[index + 1];
      const previous = all[index - 1];
      edits.push(next ? { start: declaration.getStart(), end: next.getStart(), text: '' } : { start: previous!.getEnd(), end: declaration.getEnd(), text: '' });
    }
    return edits;
  }

  /** How often each name is used (declarations not counted), to see what the cleanup left unused. */
  private identifierCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const identifier of this.rewrite.source.getDescendantsOfKind(SyntaxKind.Identifier)) {
      const parent = identifier.getParent();
      const declares =
        (Node.isImportSpecifier(parent) || Node.isImportClause(parent) || Node.isNamespaceImport(parent) || Node.isVariableDeclaration(parent) || Node.isFunctionDeclaration(parent)) &&
        (parent as Node & { getNameNode?: () => Node | undefined }).getNameNode?.() === identifier;
      const importName = Node.isImportSpecifier(parent) || Node.isImportClause(parent) || Node.isNamespaceImport(parent);
      if (declares || importName) continue;
      counts.set(identifier.getText(), (counts.get(identifier.getText()) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Removes imports, constants of plain values and local functions that the cleanup left unused (they had uses
   * before it). Calls are kept: they may do something.
   */
  private removeLeftUnused(before: Map<string, number>): void {
    for (let pass = 0; pass < 20; pass++) {
      const after = this.identifierCounts();
      const dropped = (name: string) => (before.get(name) ?? 0) > 0 && (after.get(name) ?? 0) === 0;
      const edits: Edit[] = [];
      const text = this.rewrite.text;
      for (const declaration of this.rewrite.source.getImportDeclarations()) {
        const named = declaration.getNamedImports();
        const defaultImport = declaration.getDefaultImport();
        const namespace = declaration.getNamespaceImport();
        const names = [...named.map((n) => (n.getAliasNode() ?? n.getNameNode()).getText()), ...(defaultImport ? [defaultImport.getText()] : []), ...(namespace ? [namespace.getText()] : [])];
        const gone = names.filter(dropped);
        if (gone.length === 0) continue;
        if (gone.length === names.length) {
          const [from, to] = wholeLines(text, declaration.getStart(), declaration.getEnd());
          edits.push({ start: from, end: to, text: '' });
          continue;
        }
        for (const specifier of named) {
          if (!dropped((specifier.getAliasNode() ?? specifier.getNameNode()).getText())) continue;
          let end = specifier.getEnd();
          while (end < text.length && /[\s,]/.test(text[end]!) && text[end] !== '}') end++;
          if (text[end] === '}') {
            // The last specifier: drop the comma before it instead.
            let start = specifier.getStart();
            while (start > 0 && /[\s,]/.test(text[start - 1]!)) start--;
            edits.push({ start, end: specifier.getEnd(), text: '' });
          } else edits.push({ start: specifier.getStart(), end, text: '' });
        }
      }
      for (const statement of this.rewrite.source.getDescendantsOfKind(SyntaxKind.VariableStatement)) {
        const declarations = statement.getDeclarations();
        if (statement.isExported() || declarations.length !== 1) continue;
        const declaration = declarations[0]!;
        const name = declaration.getNameNode();
        const init = declaration.getInitializer();
        if (!Node.isIdentifier(name) || !dropped(name.getText()) || !init) continue;
        const plain = literalOf(init) !== undefined || Node.isArrowFunction(init) || Node.isFunctionExpression(init) || Node.isIdentifier(init) || jsxOf(init) !== undefined;
        if (!plain) continue;
        const [from, to] = wholeLines(text, statement.getStart(), statement.getEnd(), true);
        edits.push({ start: from, end: to, text: '' });
      }
      for (const fn of this.rewrite.source.getFunctions()) {
        const name = fn.getName();
        if (fn.isExported() || name === undefined || !dropped(name)) continue;
        const [from, to] = wholeLines(text, fn.getStart(true), fn.getEnd(), true);
        edits.push({ start: from, end: to, text: '' });
      }
      if (edits.length === 0) return;
      // Non-overlapping: drop edits inside another.
      const sorted = edits.sort((a, b) => a.start - b.start || b.end - a.end).filter((edit, i, all) => !all.slice(0, i).some((o) => o.start <= edit.start && o.end >= edit.end));
      this.rewrite.apply(sorted);
    }
  }
}

/** Whether a read in `text` assembles its key from parts that fit `key` (then the rewriter must refuse it). */
function mayReadKey(text: string, file: string, key: string): boolean {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /x$/.test(file) ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  let found = false;
  const visit = (node: ts.Node): void => {
    const read = classifyRead(node);
    if (read && mayBuildKey(read.keyNode, key)) found = true;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Removes one flag from one TS/TSX/JS source: its reads become the kept value and what they fed is simplified.
 *
 * @example
 * const result = cleanupSource(code, 'banner.tsx', { key: 'old-banner', variant: 'on', value: true });
 * if (result.ok) writeFileSync('banner.tsx', result.output);
 */
export function cleanupSource(text: string, file: string, target: CleanupTarget): CleanupSourceResult {
  // Most files of a codebase do not read the flag: a plain parse tells, without the rewriter's project.
  if (!text.includes(target.key) && !mayReadKey(text, file, target.key)) return { ok: true, output: text, reads: 0 };
  return new CleanupRewriter(target, file, text).run();
}

/** A `git diff`-style patch: `--- a/file` / `+++ b/file` headers, 3 lines of context. */
function unifiedDiff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  return patch
    .replace(/^=+\n/, '')
    .replace(/^(---|\+\+\+) (.*?)\t$/gm, '$1 $2');
}

export interface CleanupResult {
  /** Files the flag was removed from. */
  changed: CleanupFileResult[];
  /** Files left alone, and why. */
  refused: CleanupRefusal[];
  files: number;
}

/**
 * Removes a flag from the TS/JS files under `paths`. Writes only with `write: true`; a refused file is never
 * written, and with any refusal nothing is written at all (a half-removed flag is worse than none).
 *
 * @example
 * const { changed, refused } = cleanupPaths(['src'], { key: 'old-banner', variant: 'on', value: true }, { write: true });
 */
export function cleanupPaths(paths: readonly string[], target: CleanupTarget, options: { write?: boolean; root?: string } = {}): CleanupResult {
  const root = options.root ?? process.cwd();
  const files = listFiles(paths).filter((path) => SCRIPT_EXTENSIONS.includes(extname(path)) && !path.endsWith('.d.ts'));
  const changed: CleanupFileResult[] = [];
  const refused: CleanupRefusal[] = [];
  const outputs: Array<[string, string]> = [];
  for (const path of files) {
    const before = readFileSync(path, 'utf8');
    const name = relative(root, path).split('\\').join('/') || path;
    let result: CleanupSourceResult;
    try {
      result = cleanupSource(before, name, target);
    } catch (error) {
      // A construct the rewriter does not know must not take the other files down: refuse this one.
      result = { ok: false, refusal: { file: name, line: 1, reason: `cleanup failed on this file (${(error as Error).message}); clean it up by hand and report the case` } };
    }
    if (!result.ok) {
      refused.push(result.refusal);
      continue;
    }
    if (result.output === before) continue;
    changed.push({ file: name, before, after: result.output, reads: result.reads, diff: unifiedDiff(name, before, result.output) });
    outputs.push([path, result.output]);
  }
  if (options.write && refused.length === 0) for (const [path, output] of outputs) writeFileSync(path, output);
  return { changed, refused, files: files.length };
}
