/** Minimal HTML templating with escaping: the example has no view engine on purpose. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const PRODUCTS = [
  { id: 'rope', name: 'Braided halyard, 20 m', price: 49, emoji: '🪢' },
  { id: 'block', name: 'Ball-bearing block', price: 35, emoji: '⚙️' },
  { id: 'shackle', name: 'Snap shackle', price: 22, emoji: '🔗' },
  { id: 'winch', name: 'Self-tailing winch', price: 389, emoji: '🛞' },
  { id: 'gloves', name: 'Sailing gloves', price: 29, emoji: '🧤' },
  { id: 'compass', name: 'Hand-bearing compass', price: 79, emoji: '🧭' },
] as const;

export const RECOMMENDED = PRODUCTS.slice(3);
export const CART = [PRODUCTS[0], PRODUCTS[2]];

const STYLE = `
:root{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Liberation Sans',sans-serif;color:#1d2330;background:#f7f8fa}
body{margin:0}header{display:flex;justify-content:space-between;align-items:center;padding:16px 32px;background:#fff;border-bottom:1px solid #e4e7ec}
header a{text-decoration:none;color:#667085;margin-left:20px}header .brand{color:#1d2330;font-weight:700;font-size:20px;margin:0}
main{max-width:960px;margin:0 auto;padding:32px}h1{margin:0 0 8px}.lead{color:#667085}
.grid{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}.card{background:#fff;border:1px solid #e4e7ec;border-radius:12px;padding:16px}
.swatch{height:80px;border-radius:8px;display:grid;place-items:center;font-size:36px;background:#eef2f7}
.pay{margin-top:16px;width:100%;padding:14px;border:0;border-radius:10px;color:#fff;font:inherit;font-weight:600}
.blue{background:#2563eb}.green{background:#16a34a}.orange{background:#ea580c}
.steps{display:flex;gap:8px}.step{flex:1;padding:10px;border-radius:8px;background:#eef2f7;text-align:center;font-size:14px}.step.active{background:#1d2330;color:#fff}
.badge{font-size:12px;padding:2px 8px;border-radius:999px;background:#eef2f7;color:#667085}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)} — Halyard Shop (Express)</title><style>${STYLE}</style></head>
<body><header><a class="brand" href="/">⛵ Halyard Shop <span class="badge">Express</span></a>
<nav><a href="/">Products</a><a href="/checkout">Checkout</a><a href="/spa/">React SPA</a></nav></header>
<main>${body}</main></body></html>`;
}

export function productCards(products: ReadonlyArray<(typeof PRODUCTS)[number]>): string {
  return products
    .map((p) => `<div class="card"><div class="swatch">${p.emoji}</div><h3>${escapeHtml(p.name)}</h3><b>€${p.price}</b></div>`)
    .join('');
}
