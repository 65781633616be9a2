// Shown when a signed-in user opens a page their role does not allow.
import { ShieldAlert } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { ROLES } from '@/lib/auth/roles';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Not allowed' };

export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<{ need?: string }> }) {
  await requireUser();
  const { need } = await searchParams;
  const role = ROLES.find((r) => r === need);
  return (
    <EmptyState icon={ShieldAlert} title="You are not allowed to see this page">
      {role ? `It needs the ${role} role or higher.` : 'Your role does not allow it.'} Ask an admin if you need access.
    </EmptyState>
  );
}
