import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useExperiments } from '../../api/experiments';
import { Page } from '../../components/page';
import { TableScroll } from '../environments/table-scroll';
import '../environments/admin.css';

/** `/env/:env/experiments`: the experiments of an environment. */
export default function ExperimentsPage() {
  const env = useParams().env ?? 'production';
  const experiments = useExperiments(env);
  const list = experiments.data ?? [];
  return (
    <Page title="Experiments" description={`Flags of ${env} run as experiments, with their primary metric.`}>
      {experiments.isPending && <p role="status">Loading experiments…</p>}
      {experiments.isError && (
        <p role="alert" className="notice error">
          {experiments.error instanceof ApiError && experiments.error.status === 404 ? 'This service does not offer experiments.' : `Could not load experiments: ${experiments.error.message}`}
        </p>
      )}
      {experiments.isSuccess && list.length === 0 && <p>No experiments in {env}.</p>}
      {list.length > 0 && (
        <TableScroll label={`Experiments in ${env}`}>
          <table className="admin-table wide">
            <caption className="visually-hidden">Experiments in {env}</caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Status</th>
                <th scope="col">Primary metric</th>
                <th scope="col">Users</th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {list.map((experiment) => (
                <tr key={experiment.flag}>
                  <th scope="row">
                    <Link to={`/env/${encodeURIComponent(env)}/experiments/${encodeURIComponent(experiment.flag)}`}>{experiment.flag}</Link>
                    {experiment.hypothesis && <div className="muted">{experiment.hypothesis}</div>}
                  </th>
                  <td>
                    {experiment.status}
                    {experiment.srmFlagged && (
                      <>
                        {' '}
                        <span className="badge expired">sample ratio mismatch</span>
                      </>
                    )}
                  </td>
                  <td>
                    <code>{experiment.primaryMetric}</code>
                  </td>
                  <td>{experiment.units.toLocaleString('en-US')}</td>
                  <td>
                    {experiment.startAt ? new Date(experiment.startAt).toLocaleDateString() : '—'} – {experiment.stopAt ? new Date(experiment.stopAt).toLocaleDateString() : experiment.status === 'running' ? 'now' : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Page>
  );
}
