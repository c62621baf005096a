export interface Product {
  id: string;
  name: string;
  price: number;
  emoji: string;
}

export const PRODUCTS: Product[] = [
  { id: 'rope', name: 'Braided halyard, 20 m', price: 49, emoji: '🪢' },
  { id: 'block', name: 'Ball-bearing block', price: 35, emoji: '⚙️' },
  { id: 'shackle', name: 'Snap shackle', price: 22, emoji: '🔗' },
  { id: 'winch', name: 'Self-tailing winch', price: 389, emoji: '🛞' },
  { id: 'gloves', name: 'Sailing gloves', price: 29, emoji: '🧤' },
  { id: 'compass', name: 'Hand-bearing compass', price: 79, emoji: '🧭' },
];

export const CART = [PRODUCTS[0]!, PRODUCTS[2]!];
export const RECOMMENDED = [PRODUCTS[3]!, PRODUCTS[4]!, PRODUCTS[5]!];
