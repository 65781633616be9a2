// Settings: the account, API tokens, the policies (admins change them, others
// read them) and (for admins) users and SSH keys.
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { requireUser } from '@/lib/auth/current-user';

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const tabs = [
    { href: '/settings', label: 'Account' },
    { href: '/settings/tokens', label: 'API tokens' },
    { href: '/settings/policies', label: 'Policies' },
    ...(user.role === 'admin'
      ? [
          { href: '/settings/users', label: 'Users' },
          { href: '/settings/ssh-keys', label: 'SSH keys' },
        ]
      : []),
  ];
  return (
    <>
      <PageHeader title="Settings" />
      <nav aria-label="Settings" className="mb-6 flex gap-1 border-b">
        {tabs.map((t) => (
          <Link
            key={t.href}
            href={t.href}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground hover:text-foreground"
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {children}
    </>
  );
}
