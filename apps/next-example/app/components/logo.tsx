/** The shop's logo, inline (no emoji, no font dependency). */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="6" fill="#1d2330" />
      <path d="M16 5v20M16 6l9 15h-9M16 9l-7 12h7" stroke="#fff" strokeWidth="2" fill="none" strokeLinejoin="round" />
      <path d="M6 25h20l-3 3H9z" fill="#fff" />
    </svg>
  );
}
