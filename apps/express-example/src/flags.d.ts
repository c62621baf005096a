/**
 * The flags this app reads, declared once: `req.flags` (and any `FlagClient`) now autocomplete these keys, type
 * their values and reject unknown keys. Keep it in step with ../next-example/flags.json.
 */
declare module '@halyard/core' {
  interface Register {
    flags: {
      'new-checkout': boolean;
      'button-color': 'blue' | 'green' | 'orange';
      'ai-recommendations': boolean;
      'deals-page': boolean;
    };
  }
}

export {};
