'use client';
// The sidebar: Hostdeck's sections, the current one highlighted; a count beside
// a section that waits for someone (e.g. changes proposed for review).
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Server } from 'lucide-react';
import { navItems } from '@/components/shell/nav';
import { hasRole, type Role } from '@/lib/auth/roles';
import { cn } from '@/lib/utils';

export function Sidebar({ role, counts = {} }: { role: Role; counts?: Record<string, number> }) {
  const pathname = usePathname();
  return (
    <aside className="hidden w-60 shrink-0 border-r bg-sidebar md:flex md:flex-col">
      <Link href="/" className="flex h-14 items-center gap-2 border-b px-5 font-semibold">
        <Server className="size-5 text-primary" /> Hostdeck
      </Link>
      <nav aria-label="Main" className="flex flex-col gap-0.5 p-3">
        {navItems
          .filter((item) => !item.role || hasRole(role, item.role))
          .map(({ href, label, icon: Icon }) => {
            const active = href === '/' ? pathname === '/' : pathname.startsWith(href);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  'flex items-center gap-3 rounded-md px-3 py-2 text-sm text-muted-foreground hover:bg-muted hover:text-foreground',
                  active && 'bg-muted font-medium text-foreground',
                )}
              >
                <Icon className="size-4" /> {label}
                {(counts[href] ?? 0) > 0 && (
                  <span
                    className="ml-auto rounded-full bg-warning/20 px-2 py-0.5 text-xs font-medium text-foreground"
                    data-testid={`nav-count-${href.slice(1)}`}
                    title={`${counts[href]} waiting for review`}
                  >
                    {counts[href]}
                  </span>
                )}
              </Link>
            );
          })}
      </nav>
    </aside>
  );
}
