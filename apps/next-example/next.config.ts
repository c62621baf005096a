import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  // Example app: no X-Powered-By, and builds must not reach the network.
  poweredByHeader: false,
  images: { unoptimized: true },
};

export default config;
