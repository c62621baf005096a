import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's response serialiser (fast-json-stringify), compiled on a route's first response instead of at start
 * (a few ms each): an instance that only serves SDKs, whose bodies are pre-serialised, never builds the admin API's.
 */
export function lazySerializerFactory(): SerializerFactory {
  const select = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = select(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc: unknown) => (serialize ??= compile(route))(doc);
    };
  };
}
