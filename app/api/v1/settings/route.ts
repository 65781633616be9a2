// GET /api/v1/settings — the policies (any signed-in caller);
// PATCH /api/v1/settings — change them (admin), audited like Settings → Policies.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { changePolicies, readPolicies } from '@/lib/settings';

export const GET = route(endpoints.getSettings, async () => readPolicies());

export const PATCH = route(endpoints.updateSettings, async ({ principal, body, ip }) => changePolicies(body, apiActor(principal, ip)));
