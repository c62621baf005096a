export const metadata = { title: 'Deals — Halyard Shop' };

/** Reachable only while `deals-page` is on: proxy.ts redirects /deals to / otherwise. */
export default function DealsPage() {
  return (
    <main>
      <div className="banner" data-testid="deals">
        Spring regatta deals: 20% off all blocks and shackles.
      </div>
      <h1>Deals</h1>
      <p className="lead">This page exists while the deals-page flag is on.</p>
    </main>
  );
}
