// Paging of API lists: ?page=N&pageSize=M (1-based; pageSize at most
// MAX_PAGE_SIZE, larger is refused with 400). Answers keep their list key and
// carry total, page, pageSize and nextPage (null on the last page).
import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export const pagingQuery = {
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} a page`).optional(),
};

export const pagingResponse = {
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  nextPage: z.number().int().nullable(),
};

export type Paging = { page?: number; pageSize?: number };

/** Page and size made safe: page ≥ 1, 1 ≤ size ≤ MAX_PAGE_SIZE (whatever a caller passes). */
export function pageWindow({ page, pageSize }: Paging, defaultSize = DEFAULT_PAGE_SIZE) {
  const p = Math.max(1, Math.floor(Number.isFinite(page) ? page! : 1));
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(Number.isFinite(pageSize) ? pageSize! : defaultSize)));
  return { page: p, pageSize: size, skip: (p - 1) * size, take: size };
}

export function nextPage(total: number, page: number, pageSize: number): number | null {
  return page * pageSize < total ? page + 1 : null;
}

/** One page of a list already in memory, with its paging info. */
export function pageOf<T>(items: readonly T[], paging: Paging) {
  const { page, pageSize, skip } = pageWindow(paging);
  return {
    items: items.slice(skip, skip + pageSize),
    total: items.length,
    page,
    pageSize,
    nextPage: nextPage(items.length, page, pageSize),
  };
}
