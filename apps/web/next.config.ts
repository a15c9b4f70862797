import path from 'node:path';
import type { NextConfig } from 'next';

// `next build apps/web` and `next start apps/web` run from the repository root.
const repoRoot = path.resolve(process.cwd(), process.cwd().endsWith(path.join('apps', 'web')) ? '../..' : '.');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace libraries are TypeScript sources; the dashboard uses only @metamorph/config/web.
  transpilePackages: ['@metamorph/config'],
  turbopack: { root: repoRoot },
};

export default nextConfig;
