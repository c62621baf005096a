import { flagsOrigin } from '@/lib/flag-client';
import { getFlags } from '@/lib/flags.server';
import { CheckoutSwitch } from '../components/checkout-switch';
import { Recommendations } from '../components/recommendations';

export const metadata = { title: 'Checkout — Halyard Shop' };

export default async function CheckoutPage() {
  // Server components read the same per-request evaluation the client components start from.
  const flags = await getFlags();
  const details = flags.getDetails('new-checkout', false);
  return (
    <main>
      <h1>Checkout</h1>
      <p className="lead">{flags.isEnabled('new-checkout') ? 'Try our new one-page checkout.' : 'Three quick steps and you are done.'}</p>
      <CheckoutSwitch />
      <Recommendations />
      <p className="debug" data-testid="debug">
        visitor <code data-testid="uid">{String(flags.context().userId)}</code> · new-checkout <code>{details.variant}</code> ({details.reason}) ·
        button-color <code>{flags.variant('button-color')}</code> · flags from{' '}
        <code data-testid="flags-origin">{flagsOrigin()}</code>
      </p>
    </main>
  );
}
