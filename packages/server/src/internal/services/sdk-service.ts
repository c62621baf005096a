import type { Evaluator } from '@halyard/core';
import type { DocumentEntry, DocumentHub } from '../document-hub';
import { BrokenDocumentError, NotFoundError } from '../errors';
import type { ApiKey } from '../keys';

/** What SDK keys read: their environment's current document, from the in-memory hub (the database only on a miss). */
export class SdkService {
  constructor(readonly hub: DocumentHub) {}

  /** Synchronous when cached: the SDK hot path allocates no promise. */
  entry(key: ApiKey): DocumentEntry | Promise<DocumentEntry> {
    return this.hub.peek(key.environment!) ?? this.load(key);
  }

  async evaluator(key: ApiKey): Promise<Evaluator> {
    const entry = await this.entry(key);
    const evaluator = entry.evaluator();
    if (!evaluator) throw new BrokenDocumentError(entry.env);
    return evaluator;
  }

  private async load(key: ApiKey): Promise<DocumentEntry> {
    const env = key.environment!;
    const entry = await this.hub.get(env);
    if (!entry) throw new NotFoundError(`Environment "${env}" of this key`);
    return entry;
  }
}
