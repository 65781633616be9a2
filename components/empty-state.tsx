// An empty list that tells a new operator what to do first.
import type { LucideIcon } from 'lucide-react';

export function EmptyState({ icon: Icon, title, children }: { icon: LucideIcon; title: string; children: React.ReactNode }) {
  return (
    <div
      className="flex flex-col items-center justify-center rounded-lg border border-dashed bg-card px-6 py-14 text-center"
      data-testid="empty-state"
    >
      <Icon className="mb-3 size-8 text-muted-foreground" />
      <h2 className="text-base font-semibold">{title}</h2>
      <div className="mt-2 max-w-md text-sm text-muted-foreground">{children}</div>
    </div>
  );
}
