// The signed-in shell: sidebar, header with user and role, theme switch.
import { requireUser } from '@/lib/auth/current-user';
import { Sidebar } from '@/components/shell/sidebar';
import { ThemeToggle } from '@/components/shell/theme-toggle';
import { UserMenu } from '@/components/shell/user-menu';
import { countProposedChanges } from '@/lib/deploy/queries';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const proposed = await countProposedChanges();
  return (
    <div className="flex min-h-screen">
      <Sidebar role={user.role} counts={{ '/changes': proposed }} />
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-end gap-2 border-b bg-card px-6">
          <ThemeToggle />
          <UserMenu username={user.username} role={user.role} />
        </header>
        <main className="min-w-0 flex-1 p-6">{children}</main>
      </div>
    </div>
  );
}
