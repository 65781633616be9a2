// The root layout: fonts, theme (light/dark, following the system by default).
// Rendered per request: the CSP nonce (server.ts, lib/security/http-gate.ts)
// goes to next-themes' inline script and to client components that add styles.
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { ThemeProvider } from 'next-themes';
import { NONCE_HEADER } from '@/lib/security/headers';
import { NonceProvider } from '@/lib/security/nonce-context';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Hostdeck', template: '%s · Hostdeck' },
  description: 'Control panel for KVM hypervisor hosts',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen font-sans antialiased">
        <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
          <NonceProvider nonce={nonce}>{children}</NonceProvider>
        </ThemeProvider>
      </body>
    </html>
  );
}
