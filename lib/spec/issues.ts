// lib/spec/issues — turning validation problems into what an operator reads.
//
// Owns: the field path format (`vms[2].disks[0].sizeGiB`), the wording of
// zod's generic problems (missing field, wrong type, out of range, unknown
// field, not one of the allowed values), and `formatIssues`.
import type { z } from 'zod';

export interface FieldIssue {
  /** Where the problem is, e.g. `vms[2].disks[0].sizeGiB`; empty for the document itself. */
  path: string;
  message: string;
}

type PathKey = PropertyKey;
type IssueLike = { path: readonly PathKey[]; message: string; code?: string; keys?: readonly string[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['vms', 2, 'disks', 0, 'sizeGiB']` → `vms[2].disks[0].sizeGiB`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * Flatten a zod error (or a list of issues) into `{ path, message }` pairs, one
 * per invalid field. Unknown fields are reported one by one at their own path.
 */
export function formatIssues(error: z.ZodError | readonly IssueLike[]): FieldIssue[] {
  const issues: readonly IssueLike[] = Array.isArray(error) ? error : (error as z.ZodError).issues;
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'is not a known field' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : `a ${typeof value}`;
}

function quoteValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Per-parse error map (pass as `schema.safeParse(input, { error: operatorErrorMap })`):
 * plain wording for zod's generic issues. Messages set on a schema win over this.
 */
export function operatorErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `must be ${expected}, not ${describeValue(issue.input)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quoteValue(issue.values[0])}`
        : `must be one of: ${issue.values.map(quoteValue).join(', ')}`;
    case 'invalid_union':
      if ('discriminator' in issue && Array.isArray((issue as { options?: unknown[] }).options)) {
        const options = (issue as { options: unknown[] }).options;
        return issue.input === undefined ? 'is required' : `must be one of: ${options.map(quoteValue).join(', ')}`;
      }
      return 'does not match any allowed form';
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
      if (issue.origin === 'array') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      if (issue.origin === 'array') return `must have at most ${max} items`;
      return `must be at most ${max}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return `is not valid (${issue.format})`;
    default:
      return undefined;
  }
}
