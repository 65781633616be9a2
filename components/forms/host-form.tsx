'use client';
// Create or edit a host's spec: how to reach it, what it is, its networking,
// storage pools and base images. Bonds and bridges are edited as rows (one
// labelled grid per bond or bridge), like pools. The server validates with
// lib/spec and answers with issues by field path, shown next to the field or
// row cell they name (e.g. network.bridges[0].uplink.name).
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { saveHostAction } from '@/lib/actions/inventory';
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
import type { HostSpec } from '@/lib/spec';
import { bondModes } from '@/lib/spec/host';
import {
  BLANK_BOND,
  BLANK_BRIDGE,
  type BondRow,
  type BridgeRow,
  bondRow,
  bondSpecOf,
  bridgeRow,
  bridgeSpecOf,
  YES_NO,
} from '@/components/forms/host-network-rows';

type PoolRow = { name: string; path: string };
type ImageRow = { name: string; path: string; format: string; description: string };

const FIELD_PATHS = [
  'name',
  'address',
  'sshPort',
  'sshUser',
  'flavour',
  'cpuVendor',
  'libvirtUri',
  'description',
  'network.nics',
  'network.libvirtNetworks',
];
const LIST_PATHS = ['storagePools', 'baseImages', 'network.bonds', 'network.bridges'];

export function HostForm({ hostId, initial }: { hostId?: string; initial?: HostSpec }) {
  const router = useRouter();
  const [issues, setIssues] = React.useState<Issue[]>([]);
  const [f, setF] = React.useState({
    name: initial?.name ?? '',
    address: initial?.address ?? '',
    sshPort: String(initial?.sshPort ?? 22),
    sshUser: initial?.sshUser ?? 'root',
    flavour: initial?.flavour ?? 'libvirt',
    libvirtUri: initial?.libvirtUri ?? 'qemu:///system',
    cpuVendor: initial?.cpuVendor ?? 'intel',
    description: initial?.description ?? '',
    nics: (initial?.network.nics ?? []).join(', '),
    libvirtNetworks: (initial?.network.libvirtNetworks ?? []).join(', '),
  });
  const [pools, setPools] = React.useState<PoolRow[]>((initial?.storagePools ?? []).map((p) => ({ name: p.name, path: p.path })));
  const [bonds, setBonds] = React.useState<BondRow[]>((initial?.network.bonds ?? []).map(bondRow));
  const [bridges, setBridges] = React.useState<BridgeRow[]>((initial?.network.bridges ?? []).map(bridgeRow));
  const [images, setImages] = React.useState<ImageRow[]>(
    (initial?.baseImages ?? []).map((i) => ({ name: i.name, path: i.path, format: i.format, description: i.description })),
  );
  const set = (key: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setF({ ...f, [key]: e.target.value });

  const save = useAction(saveHostAction, {
    onSuccess: ({ data }) => {
      if (data?.ok) router.push(`/hosts/${data.id}`);
      else if (data) setIssues(data.issues);
    },
  });

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const spec = {
      name: f.name.trim(),
      address: f.address.trim(),
      sshPort: numberOrText(f.sshPort),
      sshUser: f.sshUser.trim(),
      flavour: f.flavour,
      libvirtUri: f.libvirtUri.trim(),
      cpuVendor: f.cpuVendor,
      description: f.description,
      network: {
        nics: listFromText(f.nics),
        bonds: bonds.map(bondSpecOf),
        bridges: bridges.map(bridgeSpecOf),
        libvirtNetworks: listFromText(f.libvirtNetworks),
      },
      storagePools: pools.map((p) => ({ name: p.name.trim(), type: 'dir', path: p.path.trim() })),
      baseImages: images.map((i) => ({ name: i.name.trim(), path: i.path.trim(), format: i.format, description: i.description })),
    };
    setIssues([]);
    save.execute({ id: hostId, spec });
  }

  const shownAtField = (i: Issue) => FIELD_PATHS.includes(i.path) || LIST_PATHS.some((p) => issuesUnder([i], p).length > 0);
  const topLevel = issues.filter((i) => !shownAtField(i));
  return (
    <form onSubmit={submit} className="grid max-w-4xl gap-6" noValidate>
      {save.result.serverError && <IssueList issues={[{ path: '', message: String(save.result.serverError) }]} />}
      <IssueList issues={topLevel} title="Please fix:" />
      <Section title="Connection" description="How Hostdeck reaches the host over SSH.">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" path="name" issues={issues} hint="Lower-case letters, digits and dashes.">
            <Input value={f.name} onChange={set('name')} placeholder="hv1" />
          </Field>
          <Field label="Address" path="address" issues={issues} hint="DNS name or IP address.">
            <Input value={f.address} onChange={set('address')} placeholder="hv1.example.net" />
          </Field>
          <Field label="SSH port" path="sshPort" issues={issues}>
            <Input value={f.sshPort} onChange={set('sshPort')} inputMode="numeric" />
          </Field>
          <Field label="SSH user" path="sshUser" issues={issues}>
            <Input value={f.sshUser} onChange={set('sshUser')} />
          </Field>
        </div>
      </Section>
      <Section title="Hypervisor">
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Flavour" path="flavour" issues={issues} hint="NixOS hosts get a generated Nix module.">
            <NativeSelect value={f.flavour} onChange={set('flavour')}>
              <option value="libvirt">Linux with libvirt</option>
              <option value="nixos">NixOS</option>
            </NativeSelect>
          </Field>
          <Field label="CPU vendor" path="cpuVendor" issues={issues} hint="Selects kvm-intel or kvm-amd.">
            <NativeSelect value={f.cpuVendor} onChange={set('cpuVendor')}>
              <option value="intel">Intel</option>
              <option value="amd">AMD</option>
            </NativeSelect>
          </Field>
          <Field label="libvirt URI" path="libvirtUri" issues={issues} hint="qemu:///system or qemu:///session; only admins change it.">
            <Input value={f.libvirtUri} onChange={set('libvirtUri')} />
          </Field>
        </div>
        <Field label="Description" path="description" issues={issues}>
          <Textarea value={f.description} onChange={set('description')} className="min-h-16 font-sans text-sm" />
        </Field>
      </Section>
      <Section
        title="Networking"
        description="NICs that bonds, bridges and direct (macvtap) interfaces may use; bonds and bridges with fixed MACs keep their addresses across reboots."
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Physical NICs" path="network.nics" issues={issues} hint="Comma-separated, e.g. eno1, eno2.">
            <Input value={f.nics} onChange={set('nics')} />
          </Field>
          <Field label="libvirt networks" path="network.libvirtNetworks" issues={issues} hint="Networks defined on the host, e.g. default.">
            <Input value={f.libvirtNetworks} onChange={set('libvirtNetworks')} />
          </Field>
        </div>
        <div className="grid gap-2">
          <h3 className="text-sm font-medium">Bonds</h3>
          <RowsEditor
            name="network.bonds"
            rows={bonds}
            onChange={setBonds}
            blank={() => ({ ...BLANK_BOND })}
            issues={issues}
            addLabel="Add bond"
            stacked
            cellIssues
            columns={[
              { key: 'name', label: 'Name', placeholder: 'bond0' },
              { key: 'interfaces', label: 'Members', placeholder: 'eno1, eno2' },
              { key: 'mode', label: 'Mode', options: bondModes },
              { key: 'miimon', label: 'MII monitor (ms)', placeholder: '100' },
              { key: 'macAddress', label: 'Fixed MAC', placeholder: '52:54:00:aa:bb:01' },
            ]}
          />
        </div>
        <div className="grid gap-2">
          <h3 className="text-sm font-medium">Bridges</h3>
          <p className="text-xs text-muted-foreground">
            Static addresses as address/prefix, comma-separated (e.g. 192.0.2.10/24). DHCP or SLAAC left at — with static addresses means
            off.
          </p>
          <RowsEditor
            name="network.bridges"
            rows={bridges}
            onChange={setBridges}
            blank={() => ({ ...BLANK_BRIDGE })}
            issues={issues}
            addLabel="Add bridge"
            stacked
            cellIssues
            columns={[
              { key: 'name', label: 'Name', placeholder: 'br0' },
              { key: 'uplinkKind', label: 'Uplink', options: ['', 'nic', 'bond'], path: () => 'uplink.kind' },
              {
                key: 'uplinkName',
                label: 'Uplink name',
                placeholder: 'bond0',
                path: () => 'uplink.name',
                applies: (r) => r.uplinkKind !== '',
              },
              { key: 'macAddress', label: 'Fixed MAC', placeholder: '52:54:00:aa:bb:02' },
              { key: 'stp', label: 'STP', options: ['off', 'on'] },
              { key: 'ipv4Dhcp', label: 'IPv4 DHCP', options: YES_NO, path: () => 'ipv4.dhcp' },
              { key: 'ipv4Addresses', label: 'Static IPv4', placeholder: '192.0.2.10/24', path: () => 'ipv4.addresses' },
              { key: 'ipv6Slaac', label: 'IPv6 SLAAC', options: YES_NO, path: () => 'ipv6.slaac' },
              { key: 'ipv6Addresses', label: 'Static IPv6', placeholder: '2001:db8::10/64', path: () => 'ipv6.addresses' },
              {
                key: 'ipv6TempAddress',
                label: 'IPv6 temporary address',
                options: ['default', 'enabled', 'disabled'],
                path: () => 'ipv6.tempAddress',
              },
            ]}
          />
        </div>
      </Section>
      <Section title="Storage pools" description="Directory pools that VM disks (volumes) live in.">
        <RowsEditor
          name="storagePools"
          rows={pools}
          onChange={setPools}
          blank={() => ({ name: '', path: '' })}
          issues={issues}
          addLabel="Add pool"
          columns={[
            { key: 'name', label: 'Name', placeholder: 'default' },
            { key: 'path', label: 'Folder', placeholder: '/var/lib/libvirt/images' },
          ]}
        />
      </Section>
      <Section title="Base images" description="Images that new disks are copied from.">
        <RowsEditor
          name="baseImages"
          rows={images}
          onChange={setImages}
          blank={() => ({ name: '', path: '', format: 'qcow2', description: '' })}
          issues={issues}
          addLabel="Add base image"
          columns={[
            { key: 'name', label: 'Name', placeholder: 'debian-12' },
            { key: 'path', label: 'File', placeholder: '/var/lib/hostdeck/images/debian-12.qcow2' },
            { key: 'format', label: 'Format', options: ['qcow2', 'raw'] },
            { key: 'description', label: 'Description' },
          ]}
        />
      </Section>
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {hostId ? 'Save host' : 'Add host'}
        </Button>
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
