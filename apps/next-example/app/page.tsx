import { PRODUCTS, tile } from '@/lib/products';
import { Recommendations } from './components/recommendations';

export default function Home() {
  return (
    <main>
      <h1>Rigging & deck hardware</h1>
      <p className="lead">A tiny shop whose checkout, button colour and recommendations are driven by Halyard flags.</p>
      <div className="grid">
        {PRODUCTS.map((p) => (
          <div className="card" key={p.id}>
            <div className="swatch" style={tile(p)}>
              {p.mark}
            </div>
            <h3>{p.name}</h3>
            <span className="price">€{p.price}</span>
          </div>
        ))}
      </div>
      <Recommendations />
    </main>
  );
}
