// lib/spec/json-schema — the spec published as JSON Schema, generated from
// the zod schemas (never written by hand), for API clients and editors.
//
// Cross-field checks (unique names, existing bridges and pools, ...) cannot be
// expressed in JSON Schema; the API and CLI report them with field paths.
import { z } from 'zod';
import { hostWithVmsSchema } from './host-with-vms';

/** JSON Schema (draft 2020-12) of the `{ host, vms }` document, as accepted on input (defaults optional). */
export function hostSpecJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(hostWithVmsSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://hostdeck.dev/schemas/host-with-vms.json',
    title: 'Hostdeck host with its VMs',
    description:
      'One hypervisor host and the virtual machines on it. Cross-field rules (unique VM names, UUIDs and MACs; bridges, NICs, libvirt networks, pools and base images that exist in the host spec) are checked by Hostdeck on top of this schema.',
  };
}
