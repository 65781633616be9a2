'use client';
// Building blocks of the host and VM forms: issues by field path (from the same
// lib/spec schemas the server checks), labelled inputs that show their issue,
// and an editor for lists of flat rows (pools, images, bonds, bridges, disks,
// interfaces) that can show each issue at the cell it names.
import * as React from 'react';
import { Plus, Trash2 } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/select';
import { cn } from '@/lib/utils';

export type Issue = { path: string; message: string };

/** Issues whose path is `prefix` or below it. */
export function issuesUnder(issues: Issue[], prefix: string): Issue[] {
  return issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`));
}

export function issueAt(issues: Issue[], path: string): string | undefined {
  return issues.find((i) => i.path === path)?.message;
}

/** A number when the text is one, else the text itself (so the schema can say what is wrong). */
export function numberOrText(value: string): number | string {
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

export function listFromText(value: string): string[] {
  return value.split(/[,\s]+/).filter(Boolean);
}

type FieldProps = {
  label: string;
  path: string;
  issues: Issue[];
  hint?: string;
  children: React.ReactElement<{ id?: string; 'aria-invalid'?: boolean }>;
};

export function Field({ label, path, issues, hint, children }: FieldProps) {
  const id = `spec-${path.replace(/[^a-zA-Z0-9]/g, '-')}`;
  const error = issueAt(issues, path);
  return (
    <div className="grid content-start gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {React.cloneElement(children, { id, 'aria-invalid': error ? true : undefined })}
      {error ? (
        <p className="text-xs text-destructive" data-issue-path={path}>
          {error}
        </p>
      ) : (
        hint && <p className="text-xs text-muted-foreground">{hint}</p>
      )}
    </div>
  );
}

export function IssueList({ issues, title }: { issues: Issue[]; title?: string }) {
  if (issues.length === 0) return null;
  return (
    <div className="rounded-md border border-destructive/40 bg-destructive/10 px-4 py-3 text-sm" role="alert" data-testid="spec-issues">
      {title && <p className="mb-1 font-medium text-destructive">{title}</p>}
      <ul className="list-disc space-y-0.5 pl-5">
        {issues.map((i) => (
          <li key={`${i.path}:${i.message}`}>
            {i.path && <code className="mr-1 font-mono text-xs">{i.path}</code>}
            {i.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export type Column<Row> = {
  key: keyof Row & string;
  label: string;
  options?: readonly string[];
  placeholder?: string;
  readOnly?: boolean;
  width?: string;
  /** Path of this cell's value inside one item, for matching issues (default: the key). */
  path?: (row: Row) => string;
  /** Whether the cell applies to this row (e.g. a pool only for volume disks). */
  applies?: (row: Row) => boolean;
};

/** Whether an issue at `issuePath` belongs to the cell at `cellPath`: the cell's value or anything inside it. */
export function cellClaims(cellPath: string, issuePath: string): boolean {
  return issuePath === cellPath || issuePath.startsWith(`${cellPath}.`) || issuePath.startsWith(`${cellPath}[`);
}

/**
 * An editor for a list of flat rows: a table (the default) or, with `stacked`,
 * one labelled grid per row for rows with many cells. With `cellIssues`, each
 * issue is shown under the cell it names (its path, or a path inside it, such as
 * `ipv4.addresses[1].prefixLength` under the addresses cell); issues no cell
 * claims are listed below the rows.
 */
export function RowsEditor<Row extends Record<string, string>>({
  name,
  rows,
  columns,
  onChange,
  blank,
  issues,
  addLabel,
  stacked = false,
  cellIssues = false,
}: {
  name: string;
  rows: Row[];
  columns: Column<Row>[];
  onChange: (rows: Row[]) => void;
  blank: () => Row;
  issues: Issue[];
  addLabel: string;
  stacked?: boolean;
  cellIssues?: boolean;
}) {
  const update = (index: number, key: keyof Row, value: string) => onChange(rows.map((r, i) => (i === index ? { ...r, [key]: value } : r)));
  const cellPathOf = (row: Row, index: number, c: Column<Row>) => `${name}[${index}].${c.path ? c.path(row) : c.key}`;
  const claimed = (issue: Issue) =>
    rows.some((row, index) => columns.some((c) => (!c.applies || c.applies(row)) && cellClaims(cellPathOf(row, index, c), issue.path)));
  const below = issuesUnder(issues, name).filter((i) => !cellIssues || !claimed(i));

  function cell(row: Row, index: number, c: Column<Row>) {
    if (c.applies && !c.applies(row)) return <span className="block px-2 py-1.5 text-muted-foreground">—</span>;
    const cellPath = cellPathOf(row, index, c);
    const own = issues.filter((i) => cellClaims(cellPath, i.path));
    const common = {
      id: `spec-${cellPath.replace(/[^a-zA-Z0-9]/g, '-')}`,
      'aria-label': `${c.label} of ${name} ${index + 1}`,
      'aria-invalid': own.length > 0 || undefined,
      className: cn('h-8', c.width),
    };
    const control = c.options ? (
      <NativeSelect {...common} value={row[c.key]} onChange={(e) => update(index, c.key, e.target.value)}>
        {c.options.map((o) => (
          <option key={o} value={o}>
            {o || '—'}
          </option>
        ))}
      </NativeSelect>
    ) : (
      <Input
        {...common}
        value={row[c.key]}
        placeholder={c.placeholder}
        readOnly={c.readOnly}
        onChange={(e) => update(index, c.key, e.target.value)}
      />
    );
    if (!cellIssues || own.length === 0) return control;
    return (
      <>
        {control}
        {own.map((i) => (
          <p key={`${i.path}:${i.message}`} className="mt-1 text-xs text-destructive" data-issue-path={i.path}>
            {i.path !== cellPath && <code className="mr-1 font-mono">{i.path.slice(cellPath.length).replace(/^\./, '')}</code>}
            {i.message}
          </p>
        ))}
      </>
    );
  }

  const removeButton = (index: number) => (
    <Button
      type="button"
      variant="ghost"
      size="icon"
      aria-label={`Remove ${name} ${index + 1}`}
      onClick={() => onChange(rows.filter((_, i) => i !== index))}
    >
      <Trash2 />
    </Button>
  );

  return (
    <div className="grid gap-2" data-rows={name}>
      {rows.length > 0 &&
        (stacked ? (
          <div className="grid gap-3">
            {rows.map((row, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the index is their field path
              <div key={index} className="flex items-start gap-2 rounded-md border p-3" data-row={`${name}[${index}]`}>
                <div className="grid flex-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
                  {columns.map((c) => (
                    <div key={c.key} className="grid content-start gap-1">
                      {/* The control is named by its aria-label ("<label> of <list> <n>"); this is the visible caption. */}
                      <span aria-hidden className="text-xs text-muted-foreground">
                        {c.label}
                      </span>
                      {cell(row, index, c)}
                    </div>
                  ))}
                </div>
                {removeButton(index)}
              </div>
            ))}
          </div>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c.key} className="px-1 pb-1 text-left text-xs font-medium text-muted-foreground">
                      {c.label}
                    </th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((row, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the index is their field path
                  <tr key={index}>
                    {columns.map((c) => (
                      <td key={c.key} className="px-1 py-1 align-top">
                        {cell(row, index, c)}
                      </td>
                    ))}
                    <td className="px-1 py-1 align-top">{removeButton(index)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <IssueList issues={below} />
      <Button type="button" variant="outline" size="sm" className="justify-self-start" onClick={() => onChange([...rows, blank()])}>
        <Plus /> {addLabel}
      </Button>
    </div>
  );
}

export function Section({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <fieldset className="grid gap-4 rounded-lg border bg-card p-5">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {description && <p className="-mt-2 text-sm text-muted-foreground">{description}</p>}
      {children}
    </fieldset>
  );
}
