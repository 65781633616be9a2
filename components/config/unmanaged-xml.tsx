// The VM page's read-only list of what Hostdeck keeps without modelling it:
// the modelled extras an import brings (NIC and video models, CPU, cdroms,
// disk driver options) in one line each, and every unmanaged XML element
// (lib/spec unmanaged-xml) as it will be deployed.
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import type { VmSpec } from '@/lib/spec';

function extras(spec: VmSpec): string[] {
  const lines: string[] = [];
  if (spec.cpu) {
    const t = spec.cpu.topology;
    lines.push(
      `CPU ${spec.cpu.mode}${spec.cpu.model ? ` ${spec.cpu.model}` : ''}${t ? ` · ${t.sockets}×${t.dies}×${t.cores}×${t.threads}` : ''}`,
    );
  }
  if (spec.video && spec.video !== 'virtio') lines.push(`video ${spec.video}`);
  for (const nic of spec.interfaces) if (nic.model !== 'virtio') lines.push(`NIC ${nic.mac} model ${nic.model}`);
  spec.disks.forEach((disk, i) => {
    const options = [disk.cache && `cache=${disk.cache}`, disk.discard && `discard=${disk.discard}`, disk.io && `io=${disk.io}`].filter(
      Boolean,
    );
    if (options.length > 0) lines.push(`disk ${i + 1}: ${options.join(' ')}`);
  });
  for (const cdrom of spec.cdroms ?? []) {
    const source = cdrom.source
      ? cdrom.source.type === 'file'
        ? cdrom.source.path
        : `${cdrom.source.pool}/${cdrom.source.volume}`
      : 'empty';
    lines.push(`CD-ROM (${cdrom.bus}): ${source}`);
  }
  if (spec.inputs) lines.push(`input: ${spec.inputs.map((input) => `${input.type}/${input.bus}`).join(', ') || 'none'}`);
  if (spec.rng === false) lines.push('no random number generator');
  return lines;
}

export function UnmanagedXmlCard({ spec }: { spec: VmSpec }) {
  const lines = extras(spec);
  const xml = spec.unmanagedXml ?? { domain: [], devices: [], metadata: [] };
  const fragments = [...xml.domain, ...xml.devices, ...xml.metadata];
  if (lines.length === 0 && fragments.length === 0) return null;
  return (
    <Card className="lg:col-span-2" data-testid="vm-unmanaged-xml">
      <CardHeader>
        <CardTitle>Kept from the domain</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-2 text-sm">
        {lines.map((line) => (
          <div key={line} className="font-mono text-xs">
            {line}
          </div>
        ))}
        {fragments.length > 0 && (
          <details>
            <summary className="cursor-pointer text-sm">
              {fragments.length} unmanaged XML element{fragments.length === 1 ? '' : 's'}, deployed as they are
            </summary>
            <ul className="mt-2 grid gap-1">
              {fragments.map((fragment, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a read-only list shown in stored order; identical fragments may repeat
                <li key={i}>
                  <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">{fragment}</pre>
                </li>
              ))}
            </ul>
          </details>
        )}
      </CardContent>
    </Card>
  );
}
