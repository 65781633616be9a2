// lib/changes/desired-state — saving a host's or VM's desired state, as every
// entry point (web actions, API) does it: validate and store (lib/hosts/inventory),
// then bring the host's open change up to date (lib/changes/service
// refreshOpenChange). Nothing reaches the host: the change is reviewed first.
import type { Role } from '@/lib/auth/roles';
import { saveHost, saveVm, type SaveResult } from '@/lib/hosts/inventory';
import { refreshOpenChange } from '@/lib/changes/service';

export type DesiredSaveResult = SaveResult & { changeId?: string | null };

async function withChange(hostId: string, result: SaveResult, actor: { id: string }): Promise<DesiredSaveResult> {
  if (!result.ok) return result;
  const refreshed = await refreshOpenChange(hostId, actor);
  return { ...result, changeId: refreshed.changeId };
}

export async function saveHostDesired(
  input: { id?: string; spec: unknown },
  actor: { id: string; role: Role },
): Promise<DesiredSaveResult> {
  const result = await saveHost(input, { role: actor.role });
  return result.ok ? withChange(result.id, result, actor) : result;
}

export async function saveVmDesired(
  input: { hostId: string; id?: string; spec: unknown },
  actor: { id: string },
): Promise<DesiredSaveResult> {
  return withChange(input.hostId, await saveVm(input), actor);
}
