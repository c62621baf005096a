import { ApiError } from '../../api/client';
import { useBreaker, usePlanAction, useReenable, useReleasePlan, type BreakerState, type PlanAction, type ReleasePlan } from '../../api/releases';
import { StepChart } from '../../components/charts/step-chart';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { WriteGuard } from '../../components/write-guard';
import { GUARDRAIL_STATUS, PLAN_STATUS, describeGuardrail, ownThreshold, describeSchedule, formatDuration, formatGuardrailValue, nextStepAt } from './release-format';
import '../environments/admin.css';
import { TableScroll } from '../environments/table-scroll';
import './releases.css';

const fmt = (iso: string) => new Date(iso).toLocaleString();

function PlanActions({ env, plan }: { env: string; plan: ReleasePlan }) {
  const action = usePlanAction(env, plan.flag);
  const live = plan.status === 'active' || plan.status === 'paused';
  if (!live) return null;
  const run = (name: PlanAction) => action.mutateAsync(name);
  return (
    <div className="row-actions release-actions">
      <WriteGuard hideReason>
        {(guard) =>
          plan.status === 'active' ? (
            <button type="button" onClick={() => void run('pause')} disabled={guard.disabled || action.isPending} aria-describedby={guard.reasonId}>
              Pause
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void run('resume')} disabled={guard.disabled || action.isPending} aria-describedby={guard.reasonId}>
              Resume
            </button>
          )
        }
      </WriteGuard>
      <WriteGuard>
        {(guard) => (
          <ConfirmDialog
            trigger={
              <button type="button" className="danger" disabled={guard.disabled} aria-describedby={guard.reasonId}>
                Roll back
              </button>
            }
            title={`Roll back ${plan.flag}?`}
            description={`Aborts the plan and serves ${plan.spec.variant ?? 'the new variant'} to 0 % of ${env} at once. Starting again needs a new plan.`}
            confirmLabel="Roll back to 0 %"
            danger
            onConfirm={() => run('abort')}
          />
        )}
      </WriteGuard>
      {action.isError && !action.isPending && (
        <p role="alert" className="error-text">
          {action.error instanceof ApiError ? action.error.message : String(action.error)}
        </p>
      )}
    </div>
  );
}

function Guardrails({ plan }: { plan: ReleasePlan }) {
  const results = plan.lastEvaluation?.results;
  if (plan.spec.guardrails.length === 0) return <p className="muted">No guardrails: the plan advances on time alone.</p>;
  return (
    <>
      <p className="muted">
        Guardrails{plan.lastEvaluation ? `, checked ${fmt(plan.lastEvaluation.at)}` : ', not checked yet'} (on breach: {plan.spec.onBreach === 'pause' ? 'pause' : 'roll back to 0 %'}).
      </p>
      <TableScroll label={`Guardrails of ${plan.flag}`}>
        <table className="admin-table wide guardrails">
          <caption className="visually-hidden">Guardrails of {plan.flag}</caption>
          <thead>
            <tr>
              <th scope="col">Guardrail</th>
              <th scope="col">Value</th>
              <th scope="col">Threshold</th>
              <th scope="col">Sample</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {plan.spec.guardrails.map((guardrail, index) => {
              const result = results?.[index];
              return (
                <tr key={index} data-status={result?.status ?? 'pending'}>
                  <th scope="row">{describeGuardrail(guardrail)}</th>
                  <td>{formatGuardrailValue(guardrail, result?.value ?? null)}</td>
                  <td>{formatGuardrailValue(guardrail, result?.threshold ?? ownThreshold(guardrail))}</td>
                  <td>{result ? `${result.sample} / ${result.minSample}` : '—'}</td>
                  <td>
                    <span className={`badge guardrail-${result?.status ?? 'pending'}`}>{result ? GUARDRAIL_STATUS[result.status] : 'Pending'}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

/** A release plan's progress, guardrails, timeline and actions. */
export function PlanView({ env, plan }: { env: string; plan: ReleasePlan }) {
  const next = nextStepAt(plan);
  const stepLabel = `step ${plan.step + 1} of ${plan.steps.length}`;
  const last = plan.timeline[plan.timeline.length - 1];
  return (
    <div className="stack">
      <p>
        <span className={`badge plan-${plan.status}`}>{PLAN_STATUS[plan.status]}</span> <strong>{plan.percentage} %</strong> of units get{' '}
        {plan.spec.variant === undefined ? 'the new variant' : <code>{plan.spec.variant}</code>} — {stepLabel}.
      </p>
      <progress className="progress" max={100} value={plan.percentage} aria-label={`${plan.flag}: ${plan.percentage} % rolled out`} />
      <dl className="kv">
        <dt>Schedule</dt>
        <dd>{describeSchedule(plan.spec.schedule)}</dd>
        <dt>This step</dt>
        <dd>
          since {fmt(plan.stepStartedAt)}, held {formatDuration(plan.steps[plan.step]?.holdMs ?? 0)}
        </dd>
        <dt>Next step</dt>
        <dd>
          {next
            ? `${plan.steps[plan.step + 1]?.percentage ?? '?'} % not before ${next.toLocaleString()} (if the guardrails hold)`
            : plan.status === 'paused'
              ? 'none while paused'
              : plan.status === 'active'
                ? 'this is the last step'
                : 'none: the plan has ended'}
        </dd>
        {last && (
          <>
            <dt>Latest event</dt>
            <dd>
              {fmt(last.at)}: {last.message}
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>
          {fmt(plan.createdAt)} by {plan.createdBy}
        </dd>
      </dl>
      <StepChart steps={plan.steps} current={plan.step} label={`Schedule of ${plan.flag}: ${stepLabel}, ${plan.percentage} % served`} />
      <Guardrails plan={plan} />
      <PlanActions env={env} plan={plan} />
    </div>
  );
}

/** A flag's breaker: configured thresholds, and whether its kill stands (re-enabling is a person's decision). */
export function BreakerView({ env, flag, breaker }: { env: string; flag: string; breaker: BreakerState }) {
  const reenable = useReenable(env, flag);
  const { config } = breaker;
  return (
    <div className="stack breaker" data-tripped={breaker.tripped ? 'true' : 'false'}>
      <p>
        Circuit breaker: trips at an error rate ≥ {Math.round(config.errorRate * 10_000) / 100} % over {config.windowSeconds} s (at least {config.minRequests} requests)
        {config.variants ? ` on ${config.variants.join(', ')}` : ''}.
      </p>
      {breaker.tripped ? (
        <div className="notice error stack">
          <p>
            <strong>Tripped</strong> {fmt(breaker.tripped.at)} by {breaker.tripped.by}: the flag is off everywhere in {env}.
            {config.halfOpenAfterSeconds !== undefined ? ` The service may try it again ${config.halfOpenAfterSeconds} s after the trip.` : ''}
          </p>
          <WriteGuard>
            {(guard) => (
              <ConfirmDialog
                trigger={
                  <button type="button" disabled={guard.disabled} aria-describedby={guard.reasonId}>
                    Re-enable {flag}
                  </button>
                }
                title={`Re-enable ${flag}?`}
                description="The breaker turned it off because the error rate was too high. Make sure the cause is fixed: the breaker trips again if it is not."
                confirmLabel="Re-enable"
                onConfirm={() => reenable.mutateAsync()}
              />
            )}
          </WriteGuard>
        </div>
      ) : (
        <p>
          <span className="badge on">Closed</span> {breaker.enabled ? 'The flag is serving.' : 'The flag is off, but not by the breaker.'}
        </p>
      )}
    </div>
  );
}

/**
 * One flag's release plan (progress, guardrails, pause/resume/roll back) and breaker state, for the releases page and
 * the flag page.
 *
 * @example
 * <ReleasePanel env="production" flag="new-checkout" />
 */
export function ReleasePanel({ env, flag }: { env: string; flag: string }) {
  const plan = useReleasePlan(env, flag);
  const breaker = useBreaker(env, flag);
  const failed = plan.error ?? breaker.error;
  return (
    <section className="release-panel" aria-label={`Release of ${flag}`}>
      {(plan.isPending || breaker.isPending) && <p role="status">Loading the release of {flag}…</p>}
      {failed && (
        <p role="alert" className="error-text">
          Could not load the release of {flag}: {failed.message}
        </p>
      )}
      {plan.data === null && <p className="muted">No release plan for {flag} in {env}.</p>}
      {plan.data && <PlanView env={env} plan={plan.data} />}
      {breaker.data && <BreakerView env={env} flag={flag} breaker={breaker.data} />}
    </section>
  );
}
