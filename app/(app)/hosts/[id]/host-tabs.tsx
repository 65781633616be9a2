// The host's sub-pages: overview, configuration, history (deployed revisions, rollback, drift), edit.
import Link from 'next/link';

export function HostTabs({
  id,
  active,
  canEdit,
}: {
  id: string;
  active: 'overview' | 'configuration' | 'history' | 'edit';
  canEdit: boolean;
}) {
  const tabs = [
    { key: 'overview', href: `/hosts/${id}`, label: 'Overview' },
    { key: 'configuration', href: `/hosts/${id}/configuration`, label: 'Configuration' },
    { key: 'history', href: `/hosts/${id}/history`, label: 'History' },
    ...(canEdit ? [{ key: 'edit', href: `/hosts/${id}/edit`, label: 'Edit' }] : []),
  ];
  return (
    <nav aria-label="Host" className="mb-6 flex gap-1 border-b">
      {tabs.map((t) => (
        <Link
          key={t.key}
          href={t.href}
          aria-current={t.key === active ? 'page' : undefined}
          className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground hover:text-foreground aria-[current=page]:border-primary aria-[current=page]:text-foreground"
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
