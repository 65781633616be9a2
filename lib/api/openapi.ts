// The OpenAPI 3.1 document of /api/v1, generated from the endpoint declarations
// and their zod schemas (zod's own JSON Schema output, draft 2020-12).
import { z } from 'zod';
import { endpoints } from '@/lib/api/endpoints';
import type { Endpoint } from '@/lib/api/endpoint';

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional().describe('Field path → messages'),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(endpoint: Endpoint) {
  const list: object[] = [];
  for (const [location, schema] of [
    ['path', endpoint.params],
    ['query', endpoint.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      list.push({
        name,
        in: location,
        required: location === 'path' || !(field as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(field as z.ZodType, 'input'),
      });
    }
  }
  return list;
}

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, object>> = {};
  for (const endpoint of Object.values(endpoints) as Endpoint[]) {
    const responses: Record<string, object> = {
      [String(endpoint.status ?? 200)]: {
        description: 'Success',
        content: { 'application/json': { schema: jsonSchema(endpoint.response, 'output') } },
      },
      '400': { $ref: '#/components/responses/Error' },
    };
    if (endpoint.auth !== 'public')
      Object.assign(responses, { '401': { $ref: '#/components/responses/Error' }, '403': { $ref: '#/components/responses/Error' } });
    const operation: Record<string, unknown> = {
      operationId: endpoint.id,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      parameters: parameters(endpoint),
      responses,
      security: endpoint.auth === 'public' ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
    };
    if (endpoint.auth !== 'public') operation['x-hostdeck-role'] = endpoint.auth.role;
    if (endpoint.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(endpoint.body, 'input') } } };
      responses['413'] = { $ref: '#/components/responses/Error' }; // body over HOSTDECK_MAX_BODY_BYTES (1 MiB by default)
    }
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hostdeck API',
      version,
      description: 'Hosts, VMs, changes and deployments of Hostdeck. Errors are {"error": {"code", "message", "fields"?}}.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (hdk_…) from Settings → API tokens or `hostdeck token create`',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'hostdeck_session' },
      },
      responses: { Error: { description: 'Error', content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } } } },
    },
  };
}
