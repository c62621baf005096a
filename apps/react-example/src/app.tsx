import { useState } from 'react';
import { FlagProvider, useFlag, useFlagStatus, useFlagValue } from '@halyard/react';
import { createSpaFlags } from './flags-store';

const CART = [
  { id: 'rope', name: 'Braided halyard, 20 m', price: 49 },
  { id: 'shackle', name: 'Snap shackle', price: 22 },
];
const RECOMMENDED = [
  { id: 'winch', name: 'Self-tailing winch', price: 389, mark: 'Wi', hue: 260 },
  { id: 'gloves', name: 'Sailing gloves', price: 29, mark: 'Gl', hue: 340 },
  { id: 'compass', name: 'Hand-bearing compass', price: 79, mark: 'Co', hue: 120 },
];

function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="6" fill="#1d2330" />
      <path d="M16 5v20M16 6l9 15h-9M16 9l-7 12h7" stroke="#fff" strokeWidth="2" fill="none" strokeLinejoin="round" />
      <path d="M6 25h20l-3 3H9z" fill="#fff" />
    </svg>
  );
}

function Checkout() {
  const { status } = useFlagStatus();
  const isNew = useFlag('new-checkout');
  const color = useFlagValue('button-color', 'blue');
  const ai = useFlag('ai-recommendations');
  const total = CART.reduce((sum, p) => sum + p.price, 0);
  // A SPA has no server snapshot: wait for the first answer instead of flashing the default checkout.
  if (status === 'loading') return <p className="lead" data-testid="loading">Loading your checkout…</p>;
  return (
    <>
      <div className="card" data-testid="checkout" data-variant={isNew ? 'new' : 'old'}>
        {isNew ? (
          <>
            <h2>Express checkout</h2>
            <p className="lead">Everything on one page.</p>
          </>
        ) : (
          <div className="steps">
            <div className="step active">1. Address</div>
            <div className="step">2. Shipping</div>
            <div className="step">3. Payment</div>
          </div>
        )}
        <ul className="cart">
          {CART.map((p) => (
            <li key={p.id}>
              {p.name} <b>€{p.price}</b>
            </li>
          ))}
        </ul>
        <button className={`pay ${color}`} data-testid="pay-button" data-color={color} type="button">
          Pay €{total}
        </button>
      </div>
      {ai && (
        <section data-testid="ai-recommendations">
          <h2>Recommended for you</h2>
          <div className="grid">
            {RECOMMENDED.map((p) => (
              <div className="card" key={p.id}>
                <div className="swatch" style={{ background: `hsl(${p.hue} 70% 93%)`, color: `hsl(${p.hue} 45% 32%)` }}>
                  {p.mark}
                </div>
                <h3>{p.name}</h3>
                <b>€{p.price}</b>
              </div>
            ))}
          </div>
        </section>
      )}
    </>
  );
}

export function App() {
  // The store is built by hand to choose the flags' origin (see ./flags-store.ts); a same-origin app that only
  // talks to its backend just writes <FlagProvider endpoint="/api/flags" pollInterval={2000}>.
  const [{ store, origin }] = useState(() => createSpaFlags());
  return (
    <FlagProvider store={store}>
      <header className="header">
        <span className="brand">
          <Logo />
          Halyard Shop
        </span>
        <span className="badge" data-testid="flags-origin" data-origin={origin}>
          React SPA · flags from {origin}
        </span>
      </header>
      <main>
        <h1>Checkout</h1>
        <Checkout />
      </main>
    </FlagProvider>
  );
}
