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

/** 400 from lib/spec issues: each field path with its messages. */
export function specIssuesError(issues: readonly { path: string; message: string }[]): ApiError {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) (fields[issue.path] ??= []).push(issue.message);
  const summary = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new ApiError(400, 'invalid_input', `Invalid spec: ${summary}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`, fields);
}
