import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { Page } from '../../components/page';
import { SelectControl } from '../../components/select';
import { useExplain } from '../../api/evaluate';
import { ApiError } from '../../api/client';
import { ContextEditor, useContextInput } from './context-editor';
import { BucketText, MatchedRule, ReasonText, showValue } from './explanation-view';
import { contextLabel, readRecentContexts, rememberContext, type RecentContext } from './recent-contexts';
import './evaluate.css';

const PICK = '__pick__';

/** "Why does this user get this?": every flag's value, variant, reason, matched rule and bucket for one context. */
export default function EvaluatePage() {
  const { env = 'production' } = useParams();
  const input = useContextInput();
  const [recent, setRecent] = useState<RecentContext[]>(() => readRecentContexts());
  const [filter, setFilter] = useState('');
  const [inputError, setInputError] = useState<string | undefined>();
  const explain = useExplain(env);

  const run = () => {
    const read = input.read();
    if ('error' in read) {
      setInputError(read.error);
      return;
    }
    setInputError(undefined);
    setRecent(rememberContext(read.context));
    explain.mutate({ context: read.context });
  };

  const rows = useMemo(() => {
    const results = explain.data?.results ?? {};
    const needle = filter.trim().toLowerCase();
    return Object.entries(results)
      .filter(([flag]) => needle === '' || flag.toLowerCase().includes(needle))
      .sort(([a], [b]) => a.localeCompare(b));
  }, [explain.data, filter]);

  return (
    <Page title="Why does this user get this?" description={`Evaluate every flag of ${env} for a context and see what decided.`}>
      <form
        className="evaluate-form"
        onSubmit={(event) => {
          event.preventDefault();
          run();
        }}
      >
        {recent.length > 0 && (
          <div className="field">
            <label htmlFor="recent-context">Recent contexts</label>
            <SelectControl
              id="recent-context"
              value={PICK}
              options={[{ value: PICK, label: 'Pick a recent context…' }, ...recent.map((item, index) => ({ value: String(index), label: contextLabel(item.context) }))]}
              onValueChange={(value) => {
                const picked = recent[Number(value)];
                if (value !== PICK && picked) input.load(picked.context);
              }}
            />
          </div>
        )}
        <ContextEditor idPrefix="evaluate" {...input.editorProps} />
        {inputError !== undefined && (
          <p role="alert" className="error-text">
            {inputError}
          </p>
        )}
        <button type="submit" className="primary" disabled={explain.isPending}>
          {explain.isPending ? 'Evaluating…' : 'Evaluate'}
        </button>
      </form>

      {explain.error && (
        <p role="alert" className="notice error">
          {explain.error instanceof ApiError ? `${explain.error.message} (${explain.error.code})` : String(explain.error)}
        </p>
      )}

      {explain.data && (
        <section aria-labelledby="results-heading" className="evaluate-results">
          <div className="results-header">
            <h2 id="results-heading">Results</h2>
            <div className="field">
              <label htmlFor="flag-filter">Filter flags</label>
              <input id="flag-filter" type="search" value={filter} placeholder="checkout" onChange={(event) => setFilter(event.target.value)} />
            </div>
          </div>
          <p role="status" className="muted">
            {rows.length} of {Object.keys(explain.data.results).length} flags
          </p>
          {/* Focusable and named: at 375 px the table scrolls sideways, and keyboard users must be able to scroll it too. */}
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Results table (scrolls sideways on narrow screens)">
            <table className="results-table">
              <thead>
                <tr>
                  <th scope="col">Flag</th>
                  <th scope="col">Value</th>
                  <th scope="col">Variant</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Matched rule</th>
                  <th scope="col">Bucket</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([flag, result]) => (
                  <tr key={flag} data-flag={flag}>
                    <th scope="row">{flag}</th>
                    <td data-cell="value">
                      <code>{showValue(result.value)}</code>
                    </td>
                    <td data-cell="variant">{result.variant ?? '—'}</td>
                    <td data-cell="reason">
                      <ReasonText result={result} />
                    </td>
                    <td data-cell="rule">
                      <MatchedRule env={env} flag={flag} result={result} />
                    </td>
                    <td data-cell="bucket">
                      <BucketText result={result} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Page>
  );
}
