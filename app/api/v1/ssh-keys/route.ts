// GET /api/v1/ssh-keys — Hostdeck's SSH client keys with their authorized_keys line (default first, generated if missing).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { listSshKeysForOnboarding } from '@/lib/hosts/ssh-keys';

export const GET = route(endpoints.listSshKeys, async () => ({ keys: await listSshKeysForOnboarding() }));
