// The search / filter / sort bar of a list page: a plain GET form, so the
// query is in the URL (bookmarkable) and works without JavaScript.
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/select';

type Choice = { name: string; label: string; value?: string; options: readonly string[] };

export function ListFilter({ q, placeholder, choices }: { q: string; placeholder: string; choices: Choice[] }) {
  return (
    <search>
      <form method="get" className="mb-4 flex flex-wrap items-center gap-2">
        <Input name="q" defaultValue={q} placeholder={placeholder} className="max-w-xs" aria-label={placeholder} />
        {choices.map((c) => (
          <NativeSelect key={c.name} name={c.name} defaultValue={c.value ?? ''} aria-label={c.label} className="w-44">
            <option value="">{c.label}: any</option>
            {c.options.map((o) => (
              <option key={o} value={o}>
                {c.label}: {o.replace(/_/g, ' ')}
              </option>
            ))}
          </NativeSelect>
        ))}
        <Button type="submit" variant="outline">
          Apply
        </Button>
      </form>
    </search>
  );
}
