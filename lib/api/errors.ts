// The HTTP API's error shape: {"error": {"code", "message", "fields"?}}. The
// status of each code is fixed in lib/errors (one error model); the route
// wrapper (lib/api/endpoint.ts) is the one place a DomainError becomes a response.
import { NextResponse } from 'next/server';
import { DomainError, ERROR_STATUS, type ErrorCode } from '@/lib/errors';
import type { FieldIssue } from '@/lib/spec';

export type ApiErrorCode = ErrorCode;

export function errorResponse(status: number, code: ErrorCode, message: string, fields?: Record<string, string[]>) {
  return NextResponse.json(
    { error: { code, message, ...(fields ? { fields } : {}) } },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

/** The response for a DomainError: its code's status, its message, its fields. */
export function domainErrorResponse(error: DomainError) {
  return errorResponse(ERROR_STATUS[error.code], error.code, error.message, error.fieldMessages());
}

/**
 * 400 naming every invalid field: `fields` maps each path, written as lib/spec
 * writes them (`network.bridges[0].name`), to its messages; the message lists the first few.
 */
export function invalidInputError(what: string, issues: readonly FieldIssue[]): DomainError {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    fields[issue.path] = [...(fields[issue.path] ?? []), issue.message];
  }
  const summary = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return new DomainError('invalid_input', `Invalid ${what}: ${summary}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`, {
    fields,
  });
}

/** 400 from lib/spec issues (a host or VM spec). */
export function specIssuesError(issues: readonly FieldIssue[]): DomainError {
  return invalidInputError('spec', issues);
}
