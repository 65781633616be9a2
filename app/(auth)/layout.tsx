// Layout of the pages a visitor sees before signing in.
import { Server } from 'lucide-react';

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-muted/40 p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-lg font-semibold">
          <Server className="size-5 text-primary" /> Hostdeck
        </div>
        {children}
      </div>
    </main>
  );
}
