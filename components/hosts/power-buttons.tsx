'use client';
// A VM's power buttons: only the actions that make sense in its live state
// (lib/hosts/power-rules). Force off and reboot ask first. Shows the outcome or
// the error, then refreshes the page so it shows the state read back from the host.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { Pause, Play, Power, PowerOff, RotateCcw } from 'lucide-react';
import { powerVmAction } from '@/lib/actions/power';
import { allowedPowerActions, POWER_LABELS, type PowerAction } from '@/lib/hosts/power-rules';
import type { VmLiveState } from '@/lib/generated/prisma/enums';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

type Props = { vmId: string; vmName?: string; liveState: VmLiveState; canOperate: boolean };

const icons: Record<PowerAction, React.ComponentType> = {
  start: Play,
  shutdown: Power,
  reboot: RotateCcw,
  'force-off': PowerOff,
  suspend: Pause,
  resume: Play,
};

const confirmations: Partial<Record<PowerAction, (name: string) => string>> = {
  'force-off': (name) => `Force off ${name}? This cuts its power at once, like pulling the plug: unsaved data in the guest is lost.`,
  reboot: (name) => `Reboot ${name}? Its guest OS is asked to restart.`,
};

export function PowerButtons({ vmId, vmName = 'this VM', liveState, canOperate }: Props) {
  const router = useRouter();
  const [pending, setPending] = React.useState<PowerAction | null>(null);
  const power = useAction(powerVmAction, {
    onSettled: () => {
      setPending(null);
      router.refresh();
    },
  });
  if (!canOperate) return null;

  const run = (action: PowerAction) => {
    const question = confirmations[action]?.(vmName);
    if (question && !window.confirm(question)) return;
    setPending(action);
    power.execute({ vmId, action });
  };
  const error = power.result.serverError ?? (power.result.validationErrors ? 'The request was not valid.' : undefined);
  const message = power.result.data?.message;

  return (
    <div className="grid justify-items-end gap-2" data-testid="power-buttons">
      <div className="flex flex-wrap gap-2">
        {allowedPowerActions(liveState).map((action) => {
          const Icon = icons[action];
          return (
            <Button
              key={action}
              size="sm"
              variant={action === 'force-off' ? 'destructive' : 'outline'}
              disabled={power.isPending}
              onClick={() => run(action)}
              data-testid={`power-${action}`}
            >
              <Icon /> {pending === action ? `${POWER_LABELS[action]}…` : POWER_LABELS[action]}
            </Button>
          );
        })}
      </div>
      {error && (
        <Alert variant="destructive" data-testid="power-error">
          {String(error)}
        </Alert>
      )}
      {!error && message && !power.isPending && (
        <Alert variant="success" data-testid="power-message">
          {message}
        </Alert>
      )}
    </div>
  );
}
