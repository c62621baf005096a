import Head from 'next/head';
import Link from 'next/link';
import { Logo } from '@/app/components/logo';
import { useFlag, useFlagValue } from '@halyard/react';
import { withFlags } from '@/lib/flags.server';
import { CART } from '@/lib/products';

interface Props {
  renderedAt: string;
}

/** A Pages Router page: flags come in as pageProps.halyardSnapshot (from withFlags) and hydrate without flicker. */
export default function LegacyCart({ renderedAt }: Props) {
  const newCheckout = useFlag('new-checkout');
  const color = useFlagValue('button-color', 'blue');
  const total = CART.reduce((sum, p) => sum + p.price, 0);
  return (
    <>
      <Head>
        <title>Legacy cart — Halyard Shop</title>
        <link rel="icon" href="/favicon.svg" />
      </Head>
      <header className="header">
        <Link href="/" className="brand">
          <Logo />
          Halyard Shop
        </Link>
        <span className="badge">Pages Router</span>
      </header>
      <main>
        <h1>Your cart</h1>
        <p className="lead" data-testid="legacy-checkout" data-variant={newCheckout ? 'new' : 'old'}>
          {newCheckout ? 'You will get the new one-page checkout.' : 'You will get the classic three-step checkout.'}
        </p>
        <div className="card summary">
          <ul>
            {CART.map((p) => (
              <li key={p.id}>
                <span>{p.name}</span>
                <span>€{p.price}</span>
              </li>
            ))}
          </ul>
          <button className={`pay ${color}`} data-testid="pay-button" data-color={color} type="button">
            Continue to checkout (€{total})
          </button>
        </div>
        <p className="debug">server-rendered at {renderedAt}</p>
      </main>
    </>
  );
}

export const getServerSideProps = withFlags<Props>(async () => ({ props: { renderedAt: new Date().toISOString() } }));
