'use client';
// Side-by-side diff of one file: deployed (left) against rendered (right).
// Both sides go through the same normalisation as the plan (lib/libvirt
// diffText), so only real differences show: a memory change is one line.
import dynamic from 'next/dynamic';
import { useTheme } from 'next-themes';
import { useMemo } from 'react';
import { diffText } from '@/lib/libvirt/diff-text';
import { useNonce } from '@/lib/security/nonce-context';

const DiffViewer = dynamic(() => import('react-diff-viewer-continued'), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-muted-foreground">Loading diff…</p>,
});

export function FileDiff({ path, deployed, desired }: { path: string; deployed: string; desired: string }) {
  const { resolvedTheme } = useTheme();
  const nonce = useNonce(); // its styles are injected at run time: the CSP allows them only with the nonce
  const left = useMemo(() => diffText(path, deployed), [path, deployed]);
  const right = useMemo(() => diffText(path, desired), [path, desired]);
  return (
    <div className="overflow-x-auto text-xs" data-testid={`diff-${path}`}>
      <DiffViewer
        oldValue={left}
        newValue={right}
        splitView
        leftTitle="Deployed"
        rightTitle="Rendered (proposed)"
        useDarkTheme={resolvedTheme === 'dark'}
        extraLinesSurroundingDiff={4}
        nonce={nonce}
      />
    </div>
  );
}
