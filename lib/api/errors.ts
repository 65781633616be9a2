// The HTTP API's error shape: {"error": {"code", "message", "fields"?}}.
import { NextResponse } from 'next/server';
import type { z } from 'zod';

export type ApiErrorCode = 'unauthenticated' | 'forbidden' | 'not_found' | 'invalid_input' | 'conflict' | 'method_not_allowed' | 'internal';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: ApiErrorCode, message: string, readonly fields?: Record<string, string[]>) {
    super(message);
  }
}

export function errorResponse(status: number, code: ApiErrorCode, message: string, fields?: Record<string, string[]>) {
  return NextResponse.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status, headers: { 'cache-control': 'no-store' } });
}

/** Field path → messages, e.g. { "vms.2.name": ["…"] }; "" for the whole body. */
export function zodFields(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}
