import { Project, ts } from 'ts-morph';

/**
 * Type-checks `code` next to the generated declaration, as a program of its own placed in this package (so
 * @halyard/core and @halyard/react resolve to their sources), and returns the diagnostics of `code` only.
 */
export function typeErrors(declaration: string, code: string): Array<{ line: number; message: string }> {
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@halyard/source'],
      jsx: ts.JsxEmit.ReactJSX,
      skipLibCheck: true,
      noEmit: true,
      types: [],
    },
  });
  const dir = new URL('./', import.meta.url).pathname;
  project.createSourceFile(`${dir}__typecheck__/flags.d.ts`, declaration);
  const app = project.createSourceFile(`${dir}__typecheck__/app.ts`, code);
  return app.getPreEmitDiagnostics().map((d) => ({ line: d.getLineNumber() ?? 0, message: ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n') }));
}
