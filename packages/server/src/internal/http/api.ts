import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AuditService } from '../services/audit-service';
import type { DocumentService } from '../services/document-service';
import type { EnvironmentService } from '../services/environment-service';
import type { FlagService } from '../services/flag-service';
import type { KeyService } from '../services/key-service';
import type { ResourceService } from '../services/resource-service';
import type { SdkService } from '../services/sdk-service';
import type { Actor } from '../store/types';
import { keyOf } from './authentication';

/** The services the HTTP layer calls; routes hold no rules and no SQL of their own. */
export interface Services {
  environments: EnvironmentService;
  resources: ResourceService;
  flags: FlagService;
  documents: DocumentService;
  keys: KeyService;
  audit: AuditService;
  sdk: SdkService;
}

/** A Fastify instance whose route schemas (TypeBox) type `request.body`, `request.query` and `request.params`. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const actorOf = (request: FastifyRequest): Actor => {
  const key = keyOf(request);
  return { id: key.id, name: key.name };
};

/** One log line per committed change (request logging is off: it would cost more than an SDK request). */
export function logChange(request: FastifyRequest, action: string, detail: Record<string, unknown>): void {
  const actor = actorOf(request);
  request.log.info({ actor: actor.name, actorId: actor.id, action, ...detail }, 'change committed');
}
