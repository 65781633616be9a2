// A host's status as a coloured badge (online, new, unreachable, host key changed).
import { Badge } from '@/components/ui/badge';

const variant = { new: 'muted', online: 'success', unreachable: 'destructive', host_key_changed: 'destructive' } as const;

export function HostStatusBadge({ status, testId }: { status: keyof typeof variant; testId?: string }) {
  return <Badge variant={variant[status]} data-testid={testId}>{status.replace(/_/g, ' ')}</Badge>;
}
