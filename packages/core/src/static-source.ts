import { DefinitionsError } from './internal/problems';
import { parseDefinitions } from './parse-definitions';
import type { Definitions, FlagSource, FlagsDocument } from './types';

/**
 * A source that serves one fixed document: tests, scripts, flags bundled with the app, or a bootstrap value.
 *
 * The document is validated immediately, and an invalid one THROWS here, listing every problem with its JSON
 * path: a static document is programmer input, so failing loudly at startup beats silently serving defaults.
 * (Sources that read from the outside — `httpSource`, `fileSource` — report problems as `error` updates instead
 * and keep the last good flags.)
 *
 * @example
 * const client = createFlagClient({
 *   source: staticSource({
 *     schemaVersion: 1,
 *     flags: { 'new-checkout': { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } },
 *   }),
 * });
 * client.isEnabled('new-checkout'); // true — a static client is ready synchronously
 */
export function staticSource(document: FlagsDocument | Definitions): FlagSource {
  const result = parseDefinitions(document);
  if (!result.ok) {
    throw new DefinitionsError('@halyard/core: staticSource() was given an invalid flags document; fix these and restart', result.problems);
  }
  const { definitions } = result;
  return {
    name: 'static',
    start(emit) {
      emit({ type: 'definitions', definitions });
      return () => {};
    },
  };
}
