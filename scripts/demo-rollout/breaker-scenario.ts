// Scenario 3 of `pnpm demo:rollout` (scripts/demo-rollout/index.ts calls it): the circuit breaker.
//
// A flag with a breaker (error rate ≥ 10 % over 60 s, at least 50 outcomes) serves its new path to everyone; after
// 300 healthy calls the new path starts failing 1 call in 2. The demo app's own SDK breaker opens at once (its
// process stops calling the new path, reason BREAKER); its outcomes reach the service, whose breaker monitor kills
// the flag for everyone (actor "breaker", audited, streamed). A second connected SDK — another process, with no
// outcomes of its own — shows how fast the kill reaches everyone else: X is measured from the breaker's decision
// (its audit entry's time) to that SDK serving the off variant.
import { createFlagClient, httpSource } from '../../packages/core/src/index';
import type { DemoContext } from './index';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AuditEntry {
  at: string;
  action: string;
  actor: { id: string | null; name: string };
}

export async function breakerScenario(ctx: DemoContext): Promise<{ errors: number; servedOffWithinMs: number }> {
  const flag = 'payments-v2';
  const breaker = { errorRate: 0.1, minRequests: 50, windowSeconds: 60 };
  const env = encodeURIComponent(ctx.environment);
  ctx.log(`   ${flag} serves its new path to 100%; breaker: error rate ≥ ${breaker.errorRate * 100}% over ${breaker.windowSeconds} s with ≥ ${breaker.minRequests} outcomes`);
  await ctx.api('POST', `/api/v1/environments/${env}/flags`, {
    key: flag,
    definition: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' }, breaker },
  });

  // Another process's SDK: streaming, no events, no breaker of its own.
  const observer = createFlagClient({ source: httpSource({ url: `${ctx.url}/sdk/v1/definitions`, sdkKey: ctx.sdkKey, stream: true }), breakers: false, logger: false });
  let stopTraffic: (() => void) | undefined;
  try {
    await observer.ready();
    const deadline = Date.now() + 10_000;
    while (!ctx.client.isEnabled(flag, { userId: 'probe' })) {
      if (Date.now() > deadline) throw new Error(`demo:rollout: the demo SDK never saw ${flag}`);
      await sleep(20);
    }
    let servedOffAt: number | undefined;
    const unsubscribe = observer.subscribe(() => {
      if (servedOffAt === undefined && !observer.isEnabled(flag, { userId: 'probe' })) servedOffAt = Date.now();
    });

    let errors = 0;
    const started = Date.now();
    stopTraffic = ctx.traffic(flag, (call) => {
      const fail = call >= 300 && call % 2 === 1;
      if (fail) errors++;
      return fail;
    });
    let reported = false;
    let kill: AuditEntry | undefined;
    const giveUp = Date.now() + 30_000;
    while (kill === undefined || servedOffAt === undefined) {
      if (Date.now() > giveUp) throw new Error('demo:rollout: the breaker did not kill the flag within 30 s');
      const local = ctx.client.breakers().find((b) => b.flag === flag);
      if (!reported && local?.state === 'open') {
        reported = true;
        ctx.log(`   +${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s  the demo app's SDK breaker opened after ${local.errors} errors of ${local.requests}: it serves off in its own process at once (reason ${ctx.client.getDetails(flag, true, { userId: 'probe' }).reason})`);
      }
      if (kill === undefined) {
        const page = await ctx.api<{ entries: AuditEntry[] }>('GET', `/api/v1/audit?flag=${flag}`);
        kill = page.entries.find((e) => e.actor.name === 'breaker' && e.action === 'flag.toggle');
        if (kill !== undefined) ctx.log(`   +${((Date.parse(kill.at) - started) / 1000).toFixed(1).padStart(4)}s  the service's breaker killed ${flag} for everyone (audit: ${kill.action} by "${kill.actor.name}")`);
      }
      await sleep(20);
    }
    unsubscribe();
    const servedOffWithinMs = Math.max(0, servedOffAt - Date.parse(kill.at));
    ctx.log(`   another connected SDK served off ${servedOffWithinMs} ms after the decision; re-enabling is a person's decision`);
    return { errors, servedOffWithinMs };
  } finally {
    stopTraffic?.();
    await observer.close();
  }
}
