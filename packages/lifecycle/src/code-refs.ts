import { readFileSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { ts } from 'ts-morph';
import type { FlagDefinition } from '@halyard/core';
import { suggestion } from '@halyard/core/definitions';
import { listFiles } from './internal/files';
import { SCRIPT_EXTENSIONS, classifyRead, stringConstants, staticKey, type ReadKind } from './internal/reads';
import { lintFlags, type LintOptions } from './lint';

/** One place code reads a flag. */
export interface CodeReference {
  key: string;
  /** Path relative to the scanned root (`/` separators). */
  file: string;
  line: number;
  column: number;
  /** `useFlag`, `.isEnabled`, `<Flag>`, or `pattern` for text matches. */
  via: string;
  kind: ReadKind | 'text';
}

/** A read whose key is built at run time: it cannot be checked, and `cleanup` refuses files that have one. */
export interface DynamicRead {
  file: string;
  line: number;
  column: number;
  via: string;
  /** The key expression as written. */
  expression: string;
}

export interface ScanOptions {
  /** Root that reported paths are relative to. Default: the current directory. */
  root?: string;
  /**
   * Regular expressions for other languages, applied to every file that is not TS/JS; the key is the group named
   * `key`, else the first group. Example: `isEnabled\\("([a-z0-9-]+)"`.
   */
  patterns?: readonly (string | RegExp)[];
}

export interface ScanResult {
  references: CodeReference[];
  dynamic: DynamicRead[];
  files: number;
}

const toPosix = (path: string) => path.split('\\').join('/');

/** Finds the flag reads of one TS/JS source text. */
export function scanSource(text: string, file: string): Omit<ScanResult, 'files'> {
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const constants = stringConstants(source);
  const references: CodeReference[] = [];
  const dynamic: DynamicRead[] = [];
  const visit = (node: ts.Node) => {
    const read = classifyRead(node);
    if (read) {
      const position = source.getLineAndCharacterOfPosition(read.keyNode.getStart(source));
      const at = { file, line: position.line + 1, column: position.character + 1, via: read.via };
      const key = staticKey(read.keyNode, constants);
      if (key !== undefined) references.push({ key, ...at, kind: read.kind });
      // Hooks and <Flag> only read flags; a method such as `.getValue(x)` may be any object's, so only hooks
      // and <Flag> report a key they cannot see.
      else if (!read.via.startsWith('.')) dynamic.push({ ...at, expression: read.keyNode.getText(source) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { references, dynamic };
}

function compile(pattern: string | RegExp): RegExp {
  const regex = typeof pattern === 'string' ? new RegExp(pattern, 'g') : new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return regex;
}

/**
 * Scans files and folders for flag reads: TS/JS/TSX through the TypeScript AST, other files through `patterns`.
 * `node_modules`, build output and files over 1 MB are skipped.
 *
 * @example
 * const { references, dynamic } = scanPaths(['src'], { patterns: ['is_enabled\\("([a-z0-9-]+)"'] });
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  const root = options.root ?? process.cwd();
  const patterns = (options.patterns ?? []).map(compile);
  const references: CodeReference[] = [];
  const dynamic: DynamicRead[] = [];
  const files = listFiles(paths);
  for (const path of files) {
    const file = toPosix(relative(root, path)) || path;
    const isScript = SCRIPT_EXTENSIONS.includes(extname(path)) && !path.endsWith('.d.ts');
    if (!isScript && patterns.length === 0) continue;
    const text = readFileSync(path, 'utf8');
    if (isScript) {
      const found = scanSource(text, file);
      references.push(...found.references);
      dynamic.push(...found.dynamic);
      continue;
    }
    if (path.endsWith('.d.ts') || text.includes('\u0000')) continue;
    const lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    for (const regex of patterns) {
      regex.lastIndex = 0;
      for (const match of text.matchAll(regex)) {
        const key = match.groups?.key ?? match[1];
        if (key === undefined) continue;
        const offset = (match.index ?? 0) + Math.max(0, match[0].indexOf(key));
        let line = lineStarts.findIndex((start) => start > offset);
        line = line === -1 ? lineStarts.length : line;
        references.push({ key, file, line, column: offset - lineStarts[line - 1]! + 1, via: 'pattern', kind: 'text' });
      }
    }
  }
  return { references, dynamic, files: files.length };
}

/** A read of a key that no flag has. */
export interface UnknownReference extends CodeReference {
  /** `did you mean "new-checkout"? ` or `""`. */
  suggestion: string;
}

export interface CodeRefsReport {
  references: CodeReference[];
  /** Reads of keys no flag has: the CLI fails on them. */
  unknown: UnknownReference[];
  /** Reads of flags whose `expiresAt` has passed: the CLI fails on them. */
  expired: CodeReference[];
  /** Flags no code reads: candidates for removal. */
  unused: string[];
  dynamic: DynamicRead[];
  files: number;
}

/**
 * Checks code against flags: every key read must be a flag, and no expired flag may still be read; flags that
 * nothing reads are listed as removal candidates.
 *
 * @example
 * const report = checkCodeRefs(scanPaths(['src']), definitions.flags);
 * for (const ref of report.unknown) console.error(`${ref.file}:${ref.line}: unknown flag "${ref.key}"; ${ref.suggestion}`);
 */
export function checkCodeRefs(scan: ScanResult, flags: Readonly<Record<string, FlagDefinition>>, options: Pick<LintOptions, 'now'> = {}): CodeRefsReport {
  const keys = Object.keys(flags);
  const expiredKeys = new Set(
    lintFlags(
      keys.map((key) => ({ key, definition: flags[key]! })),
      { ...options, requireOwner: false },
    ).findings.filter((f) => f.rule === 'expired').map((f) => f.flag),
  );
  const read = new Set(scan.references.map((r) => r.key));
  return {
    references: scan.references,
    unknown: scan.references.filter((r) => !Object.hasOwn(flags, r.key)).map((r) => ({ ...r, suggestion: suggestion(r.key, keys) })),
    expired: scan.references.filter((r) => expiredKeys.has(r.key)),
    unused: keys.filter((key) => !read.has(key)).sort(),
    dynamic: scan.dynamic,
    files: scan.files,
  };
}
