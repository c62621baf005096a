'use client';
import { useFlag, useFlagValue } from '@halyard/react';
import { CART } from '@/lib/products';

const total = CART.reduce((sum, p) => sum + p.price, 0);

function PayButton() {
  // An A/B/n test: whichever colour the visitor is bucketed into, from the first paint on.
  const color = useFlagValue('button-color', 'blue');
  return (
    <button className={`pay ${color}`} data-testid="pay-button" data-color={color} type="button">
      Pay €{total}
    </button>
  );
}

function Summary() {
  return (
    <div className="card summary">
      <h3>Your cart</h3>
      <ul>
        {CART.map((p) => (
          <li key={p.id}>
            <span>{p.name}</span>
            <span>€{p.price}</span>
          </li>
        ))}
        <li>
          <strong>Total</strong>
          <strong>€{total}</strong>
        </li>
      </ul>
    </div>
  );
}

/** The one-page checkout (`new-checkout` on) or the classic three-step one. */
export function CheckoutSwitch() {
  const newCheckout = useFlag('new-checkout');
  if (newCheckout) {
    return (
      <div className="checkout" data-testid="checkout" data-variant="new">
        <div className="card">
          <h2>Express checkout</h2>
          <p className="lead">Everything on one page.</p>
          <label htmlFor="email">Email</label>
          <input id="email" placeholder="you@example.com" />
          <label htmlFor="card">Card</label>
          <input id="card" placeholder="4242 4242 4242 4242" />
          <PayButton />
        </div>
        <Summary />
      </div>
    );
  }
  return (
    <div className="checkout" data-testid="checkout" data-variant="old">
      <div className="card">
        <div className="steps">
          <div className="step active">1. Address</div>
          <div className="step">2. Shipping</div>
          <div className="step">3. Payment</div>
        </div>
        <label htmlFor="name">Full name</label>
        <input id="name" placeholder="Ada Lovelace" />
        <label htmlFor="street">Street</label>
        <input id="street" placeholder="1 Harbour Road" />
        <PayButton />
      </div>
      <Summary />
    </div>
  );
}
