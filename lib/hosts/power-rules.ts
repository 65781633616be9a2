// Which power actions make sense in which live state, and what to tell the
// operator when one does not. Pure: shared by lib/hosts/power.ts (which checks
// against the state it just read from the host) and the power buttons (client).
import type { VmLiveState } from '@/lib/generated/prisma/enums';

export const POWER_ACTIONS = ['start', 'shutdown', 'reboot', 'force-off', 'suspend', 'resume'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

export const POWER_LABELS: Record<PowerAction, string> = {
  start: 'Start',
  shutdown: 'Shut down',
  reboot: 'Reboot',
  'force-off': 'Force off',
  suspend: 'Pause',
  resume: 'Resume',
};

const ALLOWED: Record<VmLiveState, readonly PowerAction[]> = {
  running: ['shutdown', 'reboot', 'suspend', 'force-off'],
  paused: ['resume', 'force-off'],
  pmsuspended: ['resume', 'force-off'],
  shut_off: ['start'],
  crashed: ['force-off'],
  other: ['force-off'],
  // Not known (never polled, or the host is unreachable): offer everything, the server checks.
  unknown: POWER_ACTIONS,
};

/** The actions that make sense for a VM in `state`, in button order. */
export function allowedPowerActions(state: VmLiveState): PowerAction[] {
  return POWER_ACTIONS.filter((a) => ALLOWED[state].includes(a));
}

const stateWords: Record<VmLiveState, string> = {
  running: 'running',
  paused: 'paused',
  pmsuspended: 'suspended by its guest (power management)',
  shut_off: 'shut off',
  crashed: 'crashed',
  other: 'in a transitional state',
  unknown: 'in an unknown state',
};

/** Why `action` cannot be done to VM `name` in `state`, or null when it can. */
export function powerRefusal(name: string, state: VmLiveState, action: PowerAction): string | null {
  if (ALLOWED[state].includes(action)) return null;
  switch (action) {
    case 'start':
      return state === 'running'
        ? `${name} is already running`
        : state === 'paused'
          ? `${name} is paused: resume it instead`
          : `${name} cannot be started: it is ${stateWords[state]}`;
    case 'force-off':
      return `${name} is already off`;
    case 'suspend':
      return state === 'paused' ? `${name} is already paused` : `${name} is not running (it is ${stateWords[state]})`;
    case 'resume':
      return state === 'running' ? `${name} is already running` : `${name} is not paused (it is ${stateWords[state]})`;
    case 'shutdown':
    case 'reboot':
      return state === 'paused'
        ? `${name} is paused: resume it first, or force it off`
        : `${name} is not running (it is ${stateWords[state]})`;
  }
}
