// "Page N of M" with newer/older links that keep the other query parameters.
import Link from 'next/link';
import { Button } from '@/components/ui/button';

export function Pager({
  path,
  params,
  page,
  pageSize,
  total,
  noun,
}: {
  path: string;
  params: Record<string, string>;
  page: number;
  pageSize: number;
  total: number;
  noun: [string, string];
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (p: number) => `${path}?${new URLSearchParams({ ...params, page: String(p) })}`;
  return (
    <div className="mt-4 flex items-center justify-between text-sm text-muted-foreground">
      <span>
        {total} {total === 1 ? noun[0] : noun[1]} · page {page} of {pages}
      </span>
      <div className="flex gap-2">
        {page > 1 && (
          <Button asChild variant="outline" size="sm">
            <Link href={link(page - 1)}>Previous</Link>
          </Button>
        )}
        {page < pages && (
          <Button asChild variant="outline" size="sm">
            <Link href={link(page + 1)}>Next</Link>
          </Button>
        )}
      </div>
    </div>
  );
}
