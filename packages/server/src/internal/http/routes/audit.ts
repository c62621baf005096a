import Type from 'typebox';
import { AUDIT_PAGE } from '../../services/audit-service';
import type { Api, Services } from '../api';

const Filter = Type.String({ minLength: 1, maxLength: 200 });

/** The audit log, newest first. */
export function auditRoutes(api: Api, { audit }: Pick<Services, 'audit'>): void {
  api.get(
    '/api/v1/audit',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['Audit'],
        summary: 'Query the audit log (newest first)',
        querystring: Type.Object(
          {
            env: Type.Optional(Filter),
            environment: Type.Optional(Filter),
            flag: Type.Optional(Filter),
            segment: Type.Optional(Filter),
            resourceType: Type.Optional(Filter),
            actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Key id or name' })),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Exact action or a prefix like `flag.*`' })),
            since: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 date, e.g. 2026-01-31T12:00:00Z (inclusive)' })),
            until: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 date (exclusive)' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE.maximum, default: AUDIT_PAGE.default })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: '`nextCursor` of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(Type.Ref('AuditEntry')), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const { env, environment, ...rest } = request.query;
      return audit.query({ ...rest, environment: env ?? environment });
    },
  );
}
