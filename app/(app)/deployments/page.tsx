// Deployments: approved changes applied to hosts over SSH, with their logs.
import { Rocket } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Deployments' };

export default async function DeploymentsPage() {
  const count = await getDb().deployment.count();
  return (
    <>
      <PageHeader title="Deployments" description="Approved changes applied to hosts, step by step, with their logs and a way back." />
      {count === 0 && (
        <EmptyState icon={Rocket} title="Nothing deployed yet">
          Approve a change to deploy it. Each deployment keeps its log, and a host can be rolled back to an earlier revision from here.
        </EmptyState>
      )}
    </>
  );
}
