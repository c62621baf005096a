'use client';
import { useFlag } from '@halyard/react';
import { RECOMMENDED, tile } from '@/lib/products';

/**
 * Kill-switched section: rendered on the server with the visitor's flags, then kept live by the provider —
 * turning `ai-recommendations` off (in flags.json, or with `halyard flags toggle` on the flag service) removes it
 * from open pages without a reload.
 */
export function Recommendations() {
  const enabled = useFlag('ai-recommendations');
  if (!enabled) return null;
  return (
    <section className="recs" data-testid="ai-recommendations">
      <h2>
        Recommended for you <span className="badge">AI</span>
      </h2>
      <div className="grid">
        {RECOMMENDED.map((p) => (
          <div className="card" key={p.id}>
            <div className="swatch" style={tile(p)}>
              {p.mark}
            </div>
            <h3>{p.name}</h3>
            <span className="price">€{p.price}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
