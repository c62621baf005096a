export interface Product {
  id: string;
  name: string;
  price: number;
  /** Monogram and hue of the product tile (no emoji: they depend on the fonts installed). */
  mark: string;
  hue: number;
}

export const PRODUCTS: Product[] = [
  { id: 'rope', name: 'Braided halyard, 20 m', price: 49, mark: 'Hy', hue: 210 },
  { id: 'block', name: 'Ball-bearing block', price: 35, mark: 'Bk', hue: 30 },
  { id: 'shackle', name: 'Snap shackle', price: 22, mark: 'Sh', hue: 160 },
  { id: 'winch', name: 'Self-tailing winch', price: 389, mark: 'Wi', hue: 260 },
  { id: 'gloves', name: 'Sailing gloves', price: 29, mark: 'Gl', hue: 340 },
  { id: 'compass', name: 'Hand-bearing compass', price: 79, mark: 'Co', hue: 120 },
];

export const CART = [PRODUCTS[0]!, PRODUCTS[2]!];
export const RECOMMENDED = [PRODUCTS[3]!, PRODUCTS[4]!, PRODUCTS[5]!];

/** Inline style of a product tile. */
export function tile(p: Product) {
  return { background: `hsl(${p.hue} 70% 93%)`, color: `hsl(${p.hue} 45% 32%)` };
}
