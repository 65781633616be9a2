// A host's status as a coloured badge (online, new, unreachable, host key changed,
// unsafe configuration — settings Hostdeck refuses to use, so it does not contact the host).
import { Badge } from '@/components/ui/badge';

const variant = {
  new: 'muted',
  online: 'success',
  unreachable: 'destructive',
  host_key_changed: 'destructive',
  unsafe_config: 'destructive',
} as const;
const label: Record<keyof typeof variant, string> = {
  new: 'new',
  online: 'online',
  unreachable: 'unreachable',
  host_key_changed: 'host key changed',
  unsafe_config: 'unsafe configuration',
};
const title: Partial<Record<keyof typeof variant, string>> = {
  host_key_changed: 'Hostdeck stopped talking to this host until an admin re-pins its key',
  unsafe_config:
    'Hostdeck refuses this host’s stored settings (e.g. a remote libvirt URI) and does not contact it until an admin fixes them',
};

export function HostStatusBadge({ status, testId }: { status: keyof typeof variant; testId?: string }) {
  return (
    <Badge variant={variant[status]} data-testid={testId} title={title[status]}>
      {label[status]}
    </Badge>
  );
}
