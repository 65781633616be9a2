// The HTTP API's error shape: {"error": {"code", "message", "fields"?}}.
import { NextResponse } from 'next/server';
import type { FieldIssue } from '@/lib/spec';

export type ApiErrorCode = 'unauthenticated' | 'forbidden' | 'password_change_required' | 'not_found' | 'invalid_input' | 'payload_too_large' | 'conflict' | 'method_not_allowed' | 'internal';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: ApiErrorCode, message: string, readonly fields?: Record<string, string[]>) {
    super(message);
  }
}

export function errorResponse(status: number, code: ApiErrorCode, message: string, fields?: Record<string, string[]>) {
  return NextResponse.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status, headers: { 'cache-control': 'no-store' } });
}

/**
 * 400 naming every invalid field: `fields` maps each path, written as lib/spec
 * writes them (`network.bridges[0].name`), to its messages; the message lists the first few.
 */
export function invalidInputError(what: string, issues: readonly FieldIssue[]): ApiError {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) (fields[issue.path] ??= []).push(issue.message);
  const summary = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new ApiError(400, 'invalid_input', `Invalid ${what}: ${summary}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`, fields);
}

/** 400 from lib/spec issues (a host or VM spec). */
export function specIssuesError(issues: readonly FieldIssue[]): ApiError {
  return invalidInputError('spec', issues);
}
