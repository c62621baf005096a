import { Link } from 'react-router';
import type { Explanation } from '../../api/evaluate';

/** Rule `ruleIndex` on the flag page (its anchor is the evaluator's default rule id, `rule-<index>`). */
export const ruleHref = (env: string, flag: string, ruleIndex: number) => `/env/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag)}#rule-${ruleIndex}`;

const REASONS: Record<string, string> = {
  STATIC: 'no targeting: everyone gets the same',
  TARGETING_MATCH: 'a target or rule matched',
  SPLIT: 'a percentage split decided',
  DEFAULT: 'no rule matched: the default serve',
  DISABLED: 'the flag is off',
  PREREQUISITE_FAILED: 'a prerequisite failed',
  ERROR: 'evaluation failed',
  BREAKER: 'the circuit breaker is open',
};

export const showValue = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));

/** Which rule decided, as a link to it on the flag page (or "individual target" / "—"). */
export function MatchedRule({ env, flag, result }: { env: string; flag: string; result: Explanation }) {
  if (result.ruleId === 'target') return <>individual target</>;
  if (result.ruleIndex === undefined) return <>—</>;
  return (
    <Link to={ruleHref(env, flag, result.ruleIndex)}>
      Rule {result.ruleIndex + 1}
      {result.ruleId !== undefined && result.ruleId !== `rule-${result.ruleIndex}` ? ` (${result.ruleId})` : ''}
    </Link>
  );
}

/** Why: the reason in words and what else the service said (prerequisite, segment, error code). */
export function ReasonText({ result }: { result: Explanation }) {
  const extra = [
    result.prerequisite !== undefined ? `prerequisite ${result.prerequisite}` : undefined,
    result.segment !== undefined ? `segment ${result.segment}` : undefined,
    result.errorCode,
  ].filter(Boolean);
  return (
    <>
      <code className="reason">{result.reason}</code> <span className="muted">{REASONS[result.reason] ?? ''}</span>
      {extra.length > 0 && <span className="reason-extra"> ({extra.join('; ')})</span>}
    </>
  );
}

/** The bucket the unit fell in (0–100) and the unit, when a split or rollout decided. */
export function BucketText({ result }: { result: Explanation }) {
  if (result.bucket === undefined) return <>—</>;
  return (
    <>
      {result.bucket.toFixed(3)}
      {result.unit !== undefined && (
        <>
          {' '}
          <span className="muted">(unit {result.unit})</span>
        </>
      )}
    </>
  );
}
