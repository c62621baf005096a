import { NotFoundError } from '../errors';
import type { CodeRefInput, FlagCodeRefs } from '../store/code-ref-store';
import type { Store } from '../store/store';
import type { Actor } from '../store/types';
import { auditRecord } from './rules';

export interface CodeRefUploadInput {
  branch?: string | undefined;
  commit?: string | undefined;
  references: CodeRefInput[];
}

/** Code references uploaded by `halyard code-refs --upload`: where the dashboard shows a flag is read. */
export class CodeRefService {
  constructor(private readonly store: Store) {}

  /** Replaces `repo`'s references in `env` in one transaction, audited with counts (not the list). */
  async replace(actor: Actor, env: string, repo: string, input: CodeRefUploadInput): Promise<{ references: number; removed: number; flags: number }> {
    return this.store.transaction(async (tx) => {
      if (!(await tx.environments.find(env, 'share'))) throw new NotFoundError(`Environment "${env}"`);
      const { removed } = await tx.codeRefs.replace(env, repo, { branch: input.branch ?? null, commit: input.commit ?? null, uploadedBy: actor.name }, input.references);
      const counts = { references: input.references.length, removed, flags: new Set(input.references.map((r) => r.flag)).size };
      await tx.audit.append(actor, auditRecord('code-refs.replace', env, 'code-refs', repo, null, { branch: input.branch ?? null, commit: input.commit ?? null, ...counts }));
      return counts;
    });
  }

  /** Where `flag` is read in `env`, grouped by repository. */
  async forFlag(env: string, flag: string): Promise<FlagCodeRefs[]> {
    if (!(await this.store.environments.find(env))) throw new NotFoundError(`Environment "${env}"`);
    return this.store.codeRefs.forFlag(env, flag);
  }
}
