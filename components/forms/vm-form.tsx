'use client';
// Create or edit a VM's spec. UUID and MACs are assigned by the server once and
// shown read-only; issues come back by field path from lib/spec. What the form
// does not edit (input devices, unmanaged XML of an imported domain) is sent
// back as it was, so saving never drops it.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { saveVmAction } from '@/lib/actions/inventory';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/select';
import { Textarea } from '@/components/ui/textarea';
import {
  Field,
  IssueList,
  issuesUnder,
  listFromText,
  numberOrText,
  RowsEditor,
  Section,
  type Issue,
} from '@/components/forms/spec-form-kit';
import { NIC_MODELS, VIDEO_MODELS, type HostSpec, type VmSpec } from '@/lib/spec';

type DiskRow = {
  sourceType: string;
  pool: string;
  volume: string;
  path: string;
  sizeGiB: string;
  format: string;
  baseImage: string;
  bus: string;
  cache: string;
  discard: string;
  io: string;
};
type NicRow = { type: string; target: string; mac: string; model: string };
type CdromRow = { sourceType: string; pool: string; volume: string; path: string; bus: string };

const TARGET_KEY: Record<string, string> = { bridge: 'bridge', direct: 'dev', network: 'network' };
const FIELD_PATHS = [
  'name',
  'vcpus',
  'memoryMiB',
  'machine',
  'firmware',
  'powerState',
  'description',
  'tags',
  'cloudInit.userData',
  'cloudInit',
  'video',
  'cpu.mode',
  'cpu.model',
  'cpu.topology',
  'cpu',
];
const LIST_PATHS = ['disks', 'interfaces', 'cdroms'];

function diskRow(d: VmSpec['disks'][number]): DiskRow {
  return {
    sourceType: d.source.type,
    pool: d.source.type === 'volume' ? d.source.pool : '',
    volume: d.source.type === 'volume' ? d.source.volume : '',
    path: d.source.type === 'file' ? d.source.path : '',
    sizeGiB: String(d.sizeGiB),
    format: d.format,
    baseImage: d.baseImage ?? '',
    bus: d.bus,
    cache: d.cache ?? '',
    discard: d.discard ?? '',
    io: d.io ?? '',
  };
}

function cdromRow(c: VmSpec['cdroms'][number]): CdromRow {
  return {
    sourceType: c.source?.type ?? '',
    pool: c.source?.type === 'volume' ? c.source.pool : '',
    volume: c.source?.type === 'volume' ? c.source.volume : '',
    path: c.source?.type === 'file' ? c.source.path : '',
    bus: c.bus,
  };
}

/** "sockets x cores x threads" (dies only when above 1) for the topology field; '' = none. */
function topologyText(t: NonNullable<VmSpec['cpu']>['topology']): string {
  return t ? `${t.sockets}x${t.dies > 1 ? `${t.dies}x` : ''}${t.cores}x${t.threads}` : '';
}
function topologyOf(text: string): unknown {
  const parts = text
    .trim()
    .split(/\s*[x×*]\s*/)
    .map(numberOrText);
  if (parts.length === 4) return { sockets: parts[0], dies: parts[1], cores: parts[2], threads: parts[3] };
  return { sockets: parts[0], cores: parts[1], threads: parts[2] };
}

function nicRow(n: VmSpec['interfaces'][number]): NicRow {
  const target = n.type === 'bridge' ? n.bridge : n.type === 'direct' ? n.dev : n.network;
  return { type: n.type, target, mac: n.mac, model: n.model };
}

export function VmForm({ hostId, host, vmId, initial }: { hostId: string; host: HostSpec; vmId?: string; initial?: VmSpec }) {
  const router = useRouter();
  const [issues, setIssues] = React.useState<Issue[]>([]);
  const [f, setF] = React.useState({
    name: initial?.name ?? '',
    vcpus: String(initial?.vcpus ?? 1),
    memoryMiB: String(initial?.memoryMiB ?? 1024),
    machine: initial?.machine ?? 'q35',
    firmware: initial?.firmware ?? 'bios',
    powerState: initial?.powerState ?? 'running',
    description: initial?.description ?? '',
    tags: (initial?.tags ?? []).join(', '),
    userData: initial?.cloudInit?.userData ?? '',
    video: initial?.video ?? 'virtio',
    cpuMode: initial?.cpu?.mode ?? '',
    cpuModel: initial?.cpu?.model ?? '',
    topology: topologyText(initial?.cpu?.topology),
  });
  const [flags, setFlags] = React.useState({
    autostart: initial?.autostart ?? true,
    vnc: initial?.graphics.vnc ?? true,
    spice: initial?.graphics.spice ?? false,
    serialConsole: initial?.serialConsole ?? true,
    guestAgent: initial?.guestAgent ?? true,
    tpm: initial?.tpm ?? false,
    rng: initial?.rng ?? true,
    remove: initial?.remove ?? false,
    deleteDisks: initial?.deleteDisks ?? false,
  });
  const firstPool = host.storagePools[0]?.name ?? '';
  const firstBridge = host.network.bridges[0]?.name ?? '';
  const [disks, setDisks] = React.useState<DiskRow[]>((initial?.disks ?? []).map(diskRow));
  const [nics, setNics] = React.useState<NicRow[]>((initial?.interfaces ?? []).map(nicRow));
  const [cdroms, setCdroms] = React.useState<CdromRow[]>((initial?.cdroms ?? []).map(cdromRow));
  const set = (key: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setF({ ...f, [key]: e.target.value });
  const flag = (key: keyof typeof flags) => (e: React.ChangeEvent<HTMLInputElement>) => setFlags({ ...flags, [key]: e.target.checked });

  const save = useAction(saveVmAction, {
    onSuccess: ({ data }) => {
      if (data?.ok) router.push(`/vms/${data.id}`);
      else if (data) setIssues(data.issues);
    },
  });

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const spec = {
      name: f.name.trim(),
      ...(initial ? { uuid: initial.uuid } : {}),
      vcpus: numberOrText(f.vcpus),
      memoryMiB: numberOrText(f.memoryMiB),
      machine: f.machine.trim(),
      firmware: f.firmware,
      disks: disks.map((d) => ({
        source:
          d.sourceType === 'file'
            ? { type: 'file', path: d.path.trim() }
            : { type: 'volume', pool: d.pool.trim(), volume: d.volume.trim() },
        sizeGiB: numberOrText(d.sizeGiB),
        format: d.format,
        ...(d.baseImage ? { baseImage: d.baseImage } : {}),
        bus: d.bus,
        ...(d.cache ? { cache: d.cache } : {}),
        ...(d.discard ? { discard: d.discard } : {}),
        ...(d.io ? { io: d.io } : {}),
      })),
      cdroms: cdroms.map((c) => ({
        ...(c.sourceType === 'file' ? { source: { type: 'file', path: c.path.trim() } } : {}),
        ...(c.sourceType === 'volume' ? { source: { type: 'volume', pool: c.pool.trim(), volume: c.volume.trim() } } : {}),
        bus: c.bus,
      })),
      interfaces: nics.map((n) => ({
        type: n.type,
        [TARGET_KEY[n.type] ?? 'bridge']: n.target.trim(),
        ...(n.mac ? { mac: n.mac } : {}),
        model: n.model,
      })),
      graphics: {
        vnc: flags.vnc,
        spice: flags.spice,
        ...(initial?.graphics.spiceImageCompression ? { spiceImageCompression: initial.graphics.spiceImageCompression } : {}),
      },
      video: f.video,
      ...(f.cpuMode
        ? {
            cpu: {
              mode: f.cpuMode,
              ...(f.cpuMode === 'custom' ? { model: f.cpuModel.trim() } : {}),
              ...(f.topology.trim() ? { topology: topologyOf(f.topology) } : {}),
            },
          }
        : {}),
      ...(initial?.inputs ? { inputs: initial.inputs } : {}),
      rng: flags.rng,
      ...(initial ? { unmanagedXml: initial.unmanagedXml } : {}),
      serialConsole: flags.serialConsole,
      guestAgent: flags.guestAgent,
      tpm: flags.tpm,
      ...(f.userData.trim() ? { cloudInit: { userData: f.userData } } : {}),
      autostart: flags.autostart,
      powerState: f.powerState,
      description: f.description,
      tags: listFromText(f.tags.replace(/,/g, ' ')),
      remove: flags.remove,
      deleteDisks: flags.remove && flags.deleteDisks,
    };
    setIssues([]);
    save.execute({ hostId, id: vmId, spec });
  }

  const shownAtField = (i: Issue) => FIELD_PATHS.includes(i.path) || LIST_PATHS.some((p) => issuesUnder([i], p).length > 0);
  const check = (key: keyof typeof flags, label: string) => (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" checked={flags[key]} onChange={flag(key)} className="size-4 accent-[var(--primary)]" /> {label}
    </label>
  );

  return (
    <form onSubmit={submit} className="grid max-w-4xl gap-6" noValidate>
      {save.result.serverError && <IssueList issues={[{ path: '', message: String(save.result.serverError) }]} />}
      <IssueList issues={issues.filter((i) => !shownAtField(i))} title="Please fix:" />
      <Section title="Machine">
        <div className="grid gap-4 sm:grid-cols-3">
          <Field
            label="Name"
            path="name"
            issues={issues}
            hint={initial ? `UUID ${initial.uuid}` : 'Lower-case letters, digits and dashes.'}
          >
            <Input value={f.name} onChange={set('name')} placeholder="web1" />
          </Field>
          <Field label="vCPUs" path="vcpus" issues={issues}>
            <Input value={f.vcpus} onChange={set('vcpus')} inputMode="numeric" />
          </Field>
          <Field label="Memory (MiB)" path="memoryMiB" issues={issues}>
            <Input value={f.memoryMiB} onChange={set('memoryMiB')} inputMode="numeric" />
          </Field>
          <Field label="Machine type" path="machine" issues={issues}>
            <Input value={f.machine} onChange={set('machine')} />
          </Field>
          <Field label="Firmware" path="firmware" issues={issues}>
            <NativeSelect value={f.firmware} onChange={set('firmware')}>
              <option value="bios">BIOS</option>
              <option value="uefi">UEFI</option>
            </NativeSelect>
          </Field>
          <Field label="Video" path="video" issues={issues}>
            <NativeSelect value={f.video} onChange={set('video')}>
              {VIDEO_MODELS.map((model) => (
                <option key={model} value={model}>
                  {model}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="CPU mode" path="cpu.mode" issues={issues} hint="Default: host-passthrough (KVM), QEMU's model (TCG).">
            <NativeSelect value={f.cpuMode} onChange={set('cpuMode')}>
              <option value="">default</option>
              {['host-passthrough', 'host-model', 'custom', 'maximum'].map((mode) => (
                <option key={mode} value={mode}>
                  {mode}
                </option>
              ))}
            </NativeSelect>
          </Field>
          {f.cpuMode === 'custom' && (
            <Field label="CPU model" path="cpu.model" issues={issues}>
              <Input value={f.cpuModel} onChange={set('cpuModel')} placeholder="Skylake-Client" />
            </Field>
          )}
          {f.cpuMode !== '' && (
            <Field label="Topology" path="cpu.topology" issues={issues} hint="sockets x cores x threads, e.g. 1x2x1; empty for none.">
              <Input value={f.topology} onChange={set('topology')} placeholder="1x2x1" />
            </Field>
          )}
          <Field label="Desired power state" path="powerState" issues={issues}>
            <NativeSelect value={f.powerState} onChange={set('powerState')}>
              <option value="running">running</option>
              <option value="stopped">stopped</option>
            </NativeSelect>
          </Field>
        </div>
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          {check('autostart', 'Start with the host')}
          {check('vnc', 'VNC console')}
          {check('spice', 'SPICE console')}
          {check('serialConsole', 'Serial console')}
          {check('guestAgent', 'Guest agent channel')}
          {check('tpm', 'TPM 2.0')}
          {check('rng', 'Random number generator')}
        </div>
      </Section>
      <Section title="Disks" description="Volumes in a storage pool or files; created from a base image or empty when missing.">
        <RowsEditor
          name="disks"
          rows={disks}
          onChange={setDisks}
          blank={() => ({
            sourceType: 'volume',
            pool: firstPool,
            volume: '',
            path: '',
            sizeGiB: '20',
            format: 'qcow2',
            baseImage: '',
            bus: 'virtio',
            cache: '',
            discard: '',
            io: '',
          })}
          issues={issues}
          addLabel="Add disk"
          columns={[
            { key: 'sourceType', label: 'Source', options: ['volume', 'file'], width: 'w-28' },
            { key: 'pool', label: 'Pool', path: () => 'source.pool', placeholder: 'default', applies: (r) => r.sourceType !== 'file' },
            {
              key: 'volume',
              label: 'Volume',
              path: () => 'source.volume',
              placeholder: 'web1-root.qcow2',
              applies: (r) => r.sourceType !== 'file',
            },
            {
              key: 'path',
              label: 'File',
              path: () => 'source.path',
              placeholder: '/srv/vm/web1.qcow2',
              applies: (r) => r.sourceType === 'file',
            },
            { key: 'sizeGiB', label: 'Size (GiB)', width: 'w-20' },
            { key: 'format', label: 'Format', options: ['qcow2', 'raw'], width: 'w-24' },
            { key: 'baseImage', label: 'Base image', options: ['', ...host.baseImages.map((i) => i.name)], width: 'w-32' },
            { key: 'bus', label: 'Bus', options: ['virtio', 'sata', 'scsi'], width: 'w-24' },
            { key: 'cache', label: 'Cache', options: ['', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'], width: 'w-28' },
            { key: 'discard', label: 'Discard', options: ['', 'unmap', 'ignore'], width: 'w-24' },
            { key: 'io', label: 'I/O', options: ['', 'native', 'threads', 'io_uring'], width: 'w-24' },
          ]}
        />
      </Section>
      <Section title="CD-ROM drives" description="Read-only; empty, or an image that lies in a storage pool.">
        <RowsEditor
          name="cdroms"
          rows={cdroms}
          onChange={setCdroms}
          blank={() => ({ sourceType: '', pool: firstPool, volume: '', path: '', bus: 'sata' })}
          issues={issues}
          addLabel="Add CD-ROM"
          columns={[
            { key: 'sourceType', label: 'Source', options: ['', 'volume', 'file'], width: 'w-28' },
            { key: 'pool', label: 'Pool', path: () => 'source.pool', applies: (r) => r.sourceType === 'volume' },
            {
              key: 'volume',
              label: 'Volume',
              path: () => 'source.volume',
              placeholder: 'debian.iso',
              applies: (r) => r.sourceType === 'volume',
            },
            {
              key: 'path',
              label: 'File',
              path: () => 'source.path',
              placeholder: '/srv/iso/debian.iso',
              applies: (r) => r.sourceType === 'file',
            },
            { key: 'bus', label: 'Bus', options: ['sata', 'scsi', 'ide'], width: 'w-24' },
          ]}
        />
      </Section>
      <Section
        title="Network interfaces"
        description="NICs (virtio unless the guest lacks its drivers) on a host bridge, directly on a host NIC (macvtap, bridge mode), or on a libvirt network. MACs are assigned once."
      >
        <RowsEditor
          name="interfaces"
          rows={nics}
          onChange={setNics}
          blank={() => ({ type: 'bridge', target: firstBridge, mac: '', model: 'virtio' })}
          issues={issues}
          addLabel="Add interface"
          columns={[
            { key: 'type', label: 'Type', options: ['bridge', 'direct', 'network'] },
            { key: 'target', label: 'Bridge / NIC / network', path: (row) => TARGET_KEY[row.type] ?? 'bridge', placeholder: 'br0' },
            { key: 'model', label: 'Model', options: [...NIC_MODELS], width: 'w-28' },
            { key: 'mac', label: 'MAC', readOnly: true, placeholder: 'assigned on save' },
          ]}
        />
      </Section>
      <Section title="Cloud-init" description="Optional NoCloud user-data, attached as a seed ISO.">
        <Field label="User-data" path="cloudInit.userData" issues={issues} hint="Leave empty for no cloud-init seed.">
          <Textarea value={f.userData} onChange={set('userData')} placeholder="#cloud-config" className="min-h-32" />
        </Field>
      </Section>
      <Section title="Notes">
        <Field label="Description" path="description" issues={issues}>
          <Textarea value={f.description} onChange={set('description')} className="min-h-16 font-sans text-sm" />
        </Field>
        <Field label="Tags" path="tags" issues={issues} hint="Comma-separated.">
          <Input value={f.tags} onChange={set('tags')} />
        </Field>
      </Section>
      {initial && (
        <Section
          title="Removal"
          description="Removing takes effect at the next deployment. Disks are kept unless you also ask for them to be deleted."
        >
          <div className="flex flex-wrap gap-x-6 gap-y-2">
            {check('remove', 'Remove this VM from the host')}
            {flags.remove && check('deleteDisks', 'Also delete its disks')}
          </div>
        </Section>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {vmId ? 'Save VM' : 'Add VM'}
        </Button>
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
