import { Link, useParams } from 'react-router';
import { useBreakers, useReleasePlans } from '../../api/releases';
import { Page } from '../../components/page';
import { BreakerView, PlanView } from './release-panel';
import '../environments/admin.css';
import './releases.css';

const LIVE_FIRST: Record<string, number> = { active: 0, paused: 1, rolled_back: 2, completed: 3, aborted: 4 };

/** `/env/:env/releases`: every release plan of the environment with its progress and guardrails, and the breakers. */
export default function ReleasesPage() {
  const env = useParams().env ?? 'production';
  const plans = useReleasePlans(env);
  const breakers = useBreakers(env);
  const list = [...(plans.data ?? [])].sort((a, b) => (LIVE_FIRST[a.status] ?? 9) - (LIVE_FIRST[b.status] ?? 9) || b.updatedAt.localeCompare(a.updatedAt));
  const flagLink = (flag: string) => <Link to={`/env/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag)}`}>{flag}</Link>;
  return (
    <Page title="Releases" description={`Release plans and circuit breakers in ${env}.`}>
      <section aria-labelledby="plans-title" className="stack">
        <h2 id="plans-title">Release plans</h2>
        {plans.isPending && <p role="status">Loading release plans…</p>}
        {plans.isError && (
          <p role="alert" className="notice error">
            Could not load release plans: {plans.error.message}
          </p>
        )}
        {plans.isSuccess && list.length === 0 && <p>No flag in {env} has a release plan. Start one with POST …/flags/:key/release-plan (see docs/release-safety.md).</p>}
        <ul className="release-list">
          {list.map((plan) => (
            <li key={plan.id} className="release-card" data-flag={plan.flag}>
              <h3>{flagLink(plan.flag)}</h3>
              <PlanView env={env} plan={plan} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="breakers-title" className="stack">
        <h2 id="breakers-title">Circuit breakers</h2>
        {breakers.isPending && <p role="status">Loading breakers…</p>}
        {breakers.isError && (
          <p role="alert" className="notice error">
            Could not load breakers: {breakers.error.message}
          </p>
        )}
        {breakers.isSuccess && breakers.data.length === 0 && <p>No flag in {env} has a circuit breaker.</p>}
        <ul className="release-list">
          {(breakers.data ?? []).map((breaker) => (
            <li key={breaker.flag} className="release-card" data-breaker={breaker.flag}>
              <h3>{flagLink(breaker.flag)}</h3>
              <BreakerView env={env} flag={breaker.flag} breaker={breaker} />
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
