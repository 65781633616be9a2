'use client';
// The request's CSP nonce for client components that inject <style> or
// <script> elements at run time (the diff viewer's emotion styles). The root
// layout reads it from the request (server.ts sets x-nonce) and provides it.
import { createContext, useContext } from 'react';

const NonceContext = createContext<string | undefined>(undefined);

export function NonceProvider({ nonce, children }: { nonce: string | undefined; children: React.ReactNode }) {
  return <NonceContext.Provider value={nonce}>{children}</NonceContext.Provider>;
}

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
