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

  /** The environment's compiled evaluator; synchronous when the document is cached, like `entry`. */
  evaluator(key: ApiKey): Evaluator | Promise<Evaluator> {
    const entry = this.hub.peek(key.environment!);
    return entry === undefined ? this.load(key).then(evaluatorOf) : evaluatorOf(entry);
  }

  private async load(key: ApiKey): Promise<DocumentEntry> {
    const env = key.environment!;
    const entry = await this.hub.get(env);
    if (!entry) throw new NotFoundError(`Environment "${env}" of this key`);
    return entry;
  }
}

function evaluatorOf(entry: DocumentEntry): Evaluator {
  const evaluator = entry.evaluator();
  if (!evaluator) throw new BrokenDocumentError(entry.env);
  return evaluator;
}
