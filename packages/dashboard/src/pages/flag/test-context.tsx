import { useState } from 'react';
import { Link } from 'react-router';
import { useExplain } from '../../api/evaluate';
import { ApiError } from '../../api/client';
import { ContextEditor, useContextInput } from '../evaluate/context-editor';
import { BucketText, MatchedRule, ReasonText, showValue } from '../evaluate/explanation-view';
import { rememberContext } from '../evaluate/recent-contexts';
import '../evaluate/evaluate.css';

/** The compact evaluate panel on the flag page: this flag, one context, against the SAVED version. */
export function TestContext({ env, flagKey }: { env: string; flagKey: string }) {
  const input = useContextInput();
  const explain = useExplain(env);
  const [inputError, setInputError] = useState<string | undefined>();
  const result = explain.data?.results[flagKey];
  return (
    <section className="flag-section" aria-labelledby="test-context-heading">
      <h2 id="test-context-heading">Test a context</h2>
      <p className="muted">
        Evaluates the saved version of this flag. For every flag at once, use <Link to={`/env/${encodeURIComponent(env)}/evaluate`}>the evaluate panel</Link>.
      </p>
      <ContextEditor idPrefix="test-context" {...input.editorProps} />
      <button
        type="button"
        className="test-context-run"
        disabled={explain.isPending}
        onClick={() => {
          const read = input.read();
          if ('error' in read) return setInputError(read.error);
          setInputError(undefined);
          rememberContext(read.context);
          explain.mutate({ context: read.context, flags: [flagKey] });
        }}
      >
        {explain.isPending ? 'Testing…' : 'Test'}
      </button>
      {inputError !== undefined && (
        <p role="alert" className="error-text">
          {inputError}
        </p>
      )}
      {explain.error && (
        <p role="alert" className="error-text">
          {explain.error instanceof ApiError ? explain.error.message : String(explain.error)}
        </p>
      )}
      {explain.data && !result && <p role="status">The service returned no result for this flag.</p>}
      {result && (
        <dl className="test-context-result" aria-live="polite" data-testid="test-context-result">
          <dt>Value</dt>
          <dd>
            <code>{showValue(result.value)}</code>
          </dd>
          <dt>Variant</dt>
          <dd data-cell="variant">{result.variant ?? '—'}</dd>
          <dt>Reason</dt>
          <dd data-cell="reason">
            <ReasonText result={result} />
          </dd>
          <dt>Matched rule</dt>
          <dd>
            <MatchedRule env={env} flag={flagKey} result={result} />
          </dd>
          <dt>Bucket</dt>
          <dd data-cell="bucket">
            <BucketText result={result} />
          </dd>
        </dl>
      )}
    </section>
  );
}
