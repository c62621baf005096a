/** Minimal HTML templating with escaping: the example has no view engine on purpose. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Monogram + hue tiles rather than emoji: emoji depend on the fonts installed where the page is viewed.
export const PRODUCTS = [
  { id: 'rope', name: 'Braided halyard, 20 m', price: 49, mark: 'Hy', hue: 210 },
  { id: 'block', name: 'Ball-bearing block', price: 35, mark: 'Bk', hue: 30 },
  { id: 'shackle', name: 'Snap shackle', price: 22, mark: 'Sh', hue: 160 },
  { id: 'winch', name: 'Self-tailing winch', price: 389, mark: 'Wi', hue: 260 },
  { id: 'gloves', name: 'Sailing gloves', price: 29, mark: 'Gl', hue: 340 },
  { id: 'compass', name: 'Hand-bearing compass', price: 79, mark: 'Co', hue: 120 },
] as const;

const LOGO = `<svg viewBox="0 0 32 32" width="26" height="26" style="vertical-align:-6px;margin-right:8px" aria-hidden="true"><rect width="32" height="32" rx="6" fill="#1d2330"/><path d="M16 5v20M16 6l9 15h-9M16 9l-7 12h7" stroke="#fff" stroke-width="2" fill="none" stroke-linejoin="round"/><path d="M6 25h20l-3 3H9z" fill="#fff"/></svg>`;

export const RECOMMENDED = PRODUCTS.slice(3);
export const CART = [PRODUCTS[0], PRODUCTS[2]];

const STYLE = `
:root{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Liberation Sans',sans-serif;color:#1d2330;background:#f7f8fa}
body{margin:0}header{display:flex;justify-content:space-between;align-items:center;padding:16px 32px;background:#fff;border-bottom:1px solid #e4e7ec}
header a{text-decoration:none;color:#667085;margin-left:20px}header .brand{color:#1d2330;font-weight:700;font-size:20px;margin:0}
main{max-width:960px;margin:0 auto;padding:32px}h1{margin:0 0 8px}.lead{color:#667085}
.grid{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}.card{background:#fff;border:1px solid #e4e7ec;border-radius:12px;padding:16px}
.swatch{height:80px;border-radius:8px;display:grid;place-items:center;font-size:28px;font-weight:700;background:#eef2f7}
.pay{margin-top:16px;width:100%;padding:14px;border:0;border-radius:10px;color:#fff;font:inherit;font-weight:600}
.blue{background:#2563eb}.green{background:#16a34a}.orange{background:#ea580c}
.steps{display:flex;gap:8px}.step{flex:1;padding:10px;border-radius:8px;background:#eef2f7;text-align:center;font-size:14px}.step.active{background:#1d2330;color:#fff}
.badge{font-size:12px;padding:2px 8px;border-radius:999px;background:#eef2f7;color:#667085}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)} — Halyard Shop (Express)</title><style>${STYLE}</style></head>
<body><header><a class="brand" href="/">${LOGO}Halyard Shop <span class="badge">Express</span></a>
<nav><a href="/">Products</a><a href="/checkout">Checkout</a><a href="/spa/">React SPA</a></nav></header>
<main>${body}</main></body></html>`;
}

export function productCards(products: ReadonlyArray<(typeof PRODUCTS)[number]>): string {
  return products
    .map(
      (p) =>
        `<div class="card"><div class="swatch" style="background:hsl(${p.hue} 70% 93%);color:hsl(${p.hue} 45% 32%)">${p.mark}</div><h3>${escapeHtml(p.name)}</h3><b>€${p.price}</b></div>`,
    )
    .join('');
}
