'use client';
// Side-by-side diff of one file: deployed (left) against rendered (right).
import dynamic from 'next/dynamic';
import { useTheme } from 'next-themes';
import { useNonce } from '@/lib/security/nonce-context';

const DiffViewer = dynamic(() => import('react-diff-viewer-continued'), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-muted-foreground">Loading diff…</p>,
});

export function FileDiff({ path, deployed, desired }: { path: string; deployed: string; desired: string }) {
  const { resolvedTheme } = useTheme();
  const nonce = useNonce(); // its styles are injected at run time: the CSP allows them only with the nonce
  return (
    <div className="overflow-x-auto text-xs" data-testid={`diff-${path}`}>
      <DiffViewer
        oldValue={deployed}
        newValue={desired}
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
