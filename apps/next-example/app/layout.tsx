import type { ReactNode } from 'react';
import Link from 'next/link';
import { Logo } from './components/logo';
import { HalyardProvider } from '@/lib/flags.server';
import './globals.css';

export const metadata = {
  title: 'Halyard Shop — Next.js example',
  description: 'Feature flags with Halyard in the App Router',
  icons: { icon: '/favicon.svg' },
};

/**
 * Every page below gets the visitor's flags through <HalyardProvider>: evaluated on the server for this request
 * and handed to the client store before the first render, so client components never show a default first.
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="header">
          <Link href="/" className="brand">
            <Logo />
            Halyard Shop
          </Link>
          <nav className="nav">
            <Link href="/">Products</Link>
            <Link href="/checkout">Checkout</Link>
            <Link href="/deals">Deals</Link>
            <a href="/legacy-cart">Legacy cart (Pages Router)</a>
          </nav>
        </header>
        <HalyardProvider>{children}</HalyardProvider>
      </body>
    </html>
  );
}
