import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useExperimentResults } from '../../api/experiments';
import { Page } from '../../components/page';
import { ResultsView } from './results-view';
import '../environments/admin.css';

/** `/env/:env/experiments/:key`: one experiment's results. */
export default function ExperimentPage() {
  const params = useParams();
  const env = params.env ?? 'production';
  const flag = params.key ?? '';
  const results = useExperimentResults(env, flag);
  return (
    <Page
      title={`Experiment ${flag}`}
      description={
        <>
          In <code>{env}</code> · <Link to={`/env/${encodeURIComponent(env)}/experiments`}>All experiments</Link> ·{' '}
          <Link to={`/env/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag)}`}>The flag</Link>
        </>
      }
      documentTitle={`Experiment ${flag}`}
    >
      {results.isPending && <p role="status">Loading results…</p>}
      {results.isError && (
        <p role="alert" className="notice error">
          {results.error instanceof ApiError && results.error.status === 404 ? `No experiment results for ${flag} in ${env}.` : `Could not load the results: ${results.error.message}`}
        </p>
      )}
      {results.data && <ResultsView results={results.data} />}
    </Page>
  );
}
