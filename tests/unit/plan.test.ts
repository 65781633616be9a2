// plan(): added / changed (restart rules) / removed (disks kept unless asked)
// / unchanged / unmanaged, drift against live XML, the NixOS module, and
// determinism of the render it compares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHostNeeds, importDomain } from '@/lib/libvirt';
import { hostSpecSchema, parseHostWithVms, type HostWithVms } from '@/lib/spec';
import { plan, renderHost, type RenderedHost, type VmPlan } from '@/lib/render';

const FIXTURES = join(process.cwd(), 'tests/golden/libvirt-9.0');
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON fixtures, read freely
type Json = any;

function goldenSpec(host = 'nixos-host'): Json {
  return JSON.parse(readFileSync(join('tests/golden', host, 'spec.json'), 'utf8'));
}

function render(spec: Json, domainType: 'kvm' | 'qemu' = 'kvm'): RenderedHost {
  const parsed = parseHostWithVms(spec);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return renderHost(parsed.value as HostWithVms, { domainType });
}

function vmPlan(result: ReturnType<typeof plan>, name: string): VmPlan {
  const found = result.vms.find((vm) => vm.name === name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
}

function edit(mutate: (spec: Json) => void, host = 'nixos-host'): Json {
  const spec = goldenSpec(host);
  mutate(spec);
  return spec;
}

const vm = (spec: Json, name: string) => spec.vms.find((candidate: Json) => candidate.name === name);

describe('plan against the deployed revision', () => {
  const deployed = render(goldenSpec());

  it('first deployment: every VM is added, the module too', () => {
    const result = plan({ desired: deployed });
    expect(result.vms.map((entry) => [entry.name, entry.action])).toEqual([
      ['ci-runner', 'added'],
      ['db1', 'added'],
      ['legacy-app', 'unchanged'], // marked remove, and not there
      ['web1', 'added'],
    ]);
    expect(result.hostModule).toBe('added');
    expect(result.changed).toBe(true);
  });

  it('the same spec again: nothing to do', () => {
    const result = plan({ desired: render(goldenSpec()), deployed });
    expect(result.vms.every((entry) => entry.action === 'unchanged')).toBe(true);
    expect(result.hostModule).toBe('unchanged');
    expect(result.changed).toBe(false);
    expect(result.desiredHash).toBe(result.deployedHash);
  });

  it('memory and vCPUs of a running VM: changed, restart needed', () => {
    const result = plan({ desired: render(edit((s) => Object.assign(vm(s, 'web1'), { memoryMiB: 4096, vcpus: 4 }))), deployed });
    expect(vmPlan(result, 'web1')).toMatchObject({ action: 'changed', changes: ['memory', 'vcpus'], restartNeeded: true });
    expect(vmPlan(result, 'db1').action).toBe('unchanged');
    expect(result.hostModule).toBe('changed'); // the guest's stamp changed
    expect(result.summary).toMatchObject({ changed: 1, restartNeeded: 1 });
  });

  it('the same change on a stopped VM needs no restart', () => {
    const result = plan({ desired: render(edit((s) => (vm(s, 'ci-runner').memoryMiB = 32768))), deployed });
    expect(vmPlan(result, 'ci-runner')).toMatchObject({ action: 'changed', changes: ['memory'], restartNeeded: false });
  });

  it('description, tags, power state and autostart apply without a restart', () => {
    const result = plan({
      desired: render(
        edit((s) => {
          Object.assign(vm(s, 'web1'), { description: 'new words', tags: ['web'] });
          Object.assign(vm(s, 'db1'), { powerState: 'stopped', autostart: false });
        }),
      ),
      deployed,
    });
    expect(vmPlan(result, 'web1')).toMatchObject({ action: 'changed', changes: ['description', 'tags'], restartNeeded: false });
    expect(vmPlan(result, 'db1')).toMatchObject({ action: 'changed', changes: ['autostart', 'powerState'], restartNeeded: false });
  });

  it('names disks, interfaces, graphics, firmware, TPM and cloud-init changes', () => {
    const result = plan({
      desired: render(
        edit((s) => {
          vm(s, 'web1').disks[0].sizeGiB = 40; // not in the XML; existing disks are not resized
          vm(s, 'web1').cloudInit.userData += '# more\n';
          vm(s, 'db1').disks[1].bus = 'virtio';
          vm(s, 'db1').interfaces.pop();
          Object.assign(vm(s, 'db1'), { firmware: 'bios', tpm: false, graphics: { vnc: true, spice: false } });
        }),
      ),
      deployed,
    });
    expect(vmPlan(result, 'db1')).toMatchObject({
      action: 'changed',
      changes: ['controllers', 'disks', 'firmware', 'graphics', 'interfaces', 'tpm'],
      restartNeeded: true,
    });
    expect(vmPlan(result, 'web1')).toMatchObject({
      action: 'changed',
      changes: ['cloud-init user-data', 'disk size'],
      restartNeeded: false,
    });
  });

  it('removal keeps the disks unless deleteDisks is set', () => {
    const before = render(edit((s) => Object.assign(vm(s, 'legacy-app'), { remove: false })));
    const keep = plan({ desired: render(goldenSpec()), deployed: before });
    expect(vmPlan(keep, 'legacy-app')).toMatchObject({
      action: 'removed',
      removal: { deleteDisks: false, disks: ['default/legacy-app.qcow2'] },
    });
    const remove = plan({ desired: render(edit((s) => (vm(s, 'legacy-app').deleteDisks = true))), deployed: before });
    expect(vmPlan(remove, 'legacy-app')).toMatchObject({ action: 'removed', removal: { deleteDisks: true } });
    expect(remove.summary.removed).toBe(1);
  });

  it('a VM dropped from the spec without `remove` is left alone (unmanaged)', () => {
    const result = plan({ desired: render(edit((s) => (s.vms = s.vms.filter((v: Json) => v.name !== 'db1')))), deployed });
    expect(vmPlan(result, 'db1')).toMatchObject({ action: 'unmanaged', removal: null });
  });

  it('libvirt hosts: no module, power state still changes the hash and the plan', () => {
    const libvirtDeployed = render(goldenSpec('libvirt-host'));
    const stopped = render(edit((s) => (vm(s, 'app1').powerState = 'stopped'), 'libvirt-host'));
    expect(stopped.files).toEqual(libvirtDeployed.files);
    expect(stopped.hash).not.toBe(libvirtDeployed.hash);
    const result = plan({ desired: stopped, deployed: libvirtDeployed });
    expect(result.hostModule).toBe('none');
    expect(vmPlan(result, 'app1')).toMatchObject({ action: 'changed', changes: ['powerState'] });
    expect(result.changed).toBe(true);
  });
});

describe('drift against live XML (real libvirt output)', () => {
  // A host whose deployed revision is the fixture's rendered XML.
  function hostWith(xml: string, powerState: 'running' | 'stopped' = 'running'): RenderedHost {
    const rendered = render(goldenSpec('libvirt-host'));
    const app = rendered.manifest.vms.find((entry) => entry.name === 'app1')!;
    return {
      ...rendered,
      files: rendered.files.map((file) => (file.path === 'vms/app1.xml' ? { ...file, content: xml } : file)),
      manifest: { ...rendered.manifest, vms: rendered.manifest.vms.map((entry) => (entry === app ? { ...entry, powerState } : entry)) },
    };
  }
  const rendered = readFileSync(join(FIXTURES, 'rich.rendered.xml'), 'utf8');
  const live = readFileSync(join(FIXTURES, 'rich.live.xml'), 'utf8');
  const host = hostWith(rendered);

  it('what libvirtd adds is not drift', () => {
    const result = plan({
      desired: host,
      deployed: host,
      live: { app1: live, app2: host.files.find((f) => f.path === 'vms/app2.xml')!.content },
    });
    expect(vmPlan(result, 'app1')).toMatchObject({ action: 'unchanged', drifted: false, drift: [], running: true });
    expect(result.drifted).toBe(false);
  });

  it('a VM stopped (or started) outside Hostdeck is drift, judged from the list of running domains', () => {
    const app2 = host.files.find((f) => f.path === 'vms/app2.xml')!.content;
    const liveXml = { app1: rendered, app2 };
    const stoppedOutside = plan({ desired: host, deployed: host, live: liveXml, liveRunning: new Set(['app2']) });
    expect(vmPlan(stoppedOutside, 'app1')).toMatchObject({ drifted: true, drift: ['not running'], running: false });
    expect(vmPlan(stoppedOutside, 'app2').drifted).toBe(false);
    const stoppedHost = hostWith(rendered, 'stopped');
    const startedOutside = plan({ desired: stoppedHost, deployed: stoppedHost, live: liveXml, liveRunning: new Set(['app1', 'app2']) });
    expect(vmPlan(startedOutside, 'app1').drift).toEqual(['running']);
  });

  it('a change made on the host is drift, named by category', () => {
    const edited = live
      .replace("<memory unit='KiB'>524288</memory>", "<memory unit='KiB'>1048576</memory>")
      .replace("address='127.0.0.1'/>\n    </graphics>", "address='0.0.0.0'/>\n    </graphics>");
    const result = plan({ desired: host, deployed: host, live: { app1: edited } });
    expect(vmPlan(result, 'app1')).toMatchObject({ drifted: true, drift: ['graphics', 'memory'] });
    expect(vmPlan(result, 'app2')).toMatchObject({ drifted: true, drift: ['missing on host'] });
    expect(result.summary.drifted).toBe(2);
  });

  it('without a deployed revision the live domain is the base: adopting an identical domain is no change', () => {
    const result = plan({ desired: host, live: { app1: live } });
    expect(vmPlan(result, 'app1')).toMatchObject({ action: 'unchanged', drifted: false });
    expect(vmPlan(result, 'app2').action).toBe('added');
  });

  it('restartNeeded follows the live power state', () => {
    const bigger = hostWith(rendered.replace('<memory unit="MiB">512</memory>', '<memory unit="MiB">1024</memory>'));
    expect(vmPlan(plan({ desired: bigger, deployed: host, live: { app1: live } }), 'app1')).toMatchObject({
      action: 'changed',
      changes: ['memory'],
      restartNeeded: true,
    });
    const inactive = readFileSync(join(FIXTURES, 'rich.inactive.xml'), 'utf8');
    expect(vmPlan(plan({ desired: bigger, deployed: host, live: { app1: inactive } }), 'app1')).toMatchObject({
      restartNeeded: false,
      running: false,
    });
  });
});

describe('render determinism', () => {
  it('the same spec renders the same bytes and hash; any change changes the hash', () => {
    const a = render(goldenSpec());
    const b = render(goldenSpec());
    expect(b.files).toEqual(a.files);
    expect(b.hash).toBe(a.hash);
    expect(JSON.stringify(b.manifest)).toBe(JSON.stringify(a.manifest));
    expect(render(edit((s) => (vm(s, 'web1').description += '.'))).hash).not.toBe(a.hash);
    expect(render(goldenSpec(), 'qemu').hash).not.toBe(a.hash);
  });

  it('files are sorted by path; libvirt hosts get no Nix module', () => {
    for (const host of ['nixos-host', 'libvirt-host']) {
      const paths = render(goldenSpec(host)).files.map((file) => file.path);
      expect(paths).toEqual([...paths].sort());
      expect(paths.includes('default.nix')).toBe(host === 'nixos-host');
    }
  });
});

describe('removes: what a deploy would take from an imported domain', () => {
  const xml = readFileSync(join(FIXTURES, 'virt-install-win10.inactive.xml'), 'utf8');
  const host = { name: 'kvm1', address: '192.0.2.1', flavour: 'libvirt', cpuVendor: 'intel', network: { bridges: [{ name: 'br0' }] } };

  function planWith(edit: (vm: Json) => void) {
    const result = importDomain(xml, hostSpecSchema.parse(host));
    if (!result.ok) throw new Error(result.reason);
    const vm: Json = structuredClone(result.vm);
    edit(vm);
    const parsed = parseHostWithVms({ host: applyHostNeeds(hostSpecSchema.parse(host), result.hostNeeds).host, vms: [vm] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const rendered = renderHost(parsed.value, { domainType: result.domainType });
    return vmPlan(
      plan({ desired: rendered, deployed: { files: [{ path: `vms/${vm.name}.xml`, content: xml }], manifest: null } }),
      vm.name,
    );
  }

  it('nothing for the domain as imported', () => {
    expect(planWith(() => {})).toMatchObject({ action: 'unchanged', changes: [], removes: [] });
  });

  it('an unmanaged element dropped from the spec is listed by its start tag', () => {
    const result = planWith((vm) => {
      vm.unmanagedXml.devices = vm.unmanagedXml.devices.filter((fragment: string) => !fragment.startsWith('<sound'));
    });
    expect(result).toMatchObject({ action: 'changed', changes: ['sound'], removes: ["<sound model='ich9'>"] });
  });

  it('a changed element is listed as replaced (its old start tag)', () => {
    const result = planWith((vm) => {
      vm.video = 'virtio';
    });
    expect(result.changes).toEqual(['video']);
    expect(result.removes).toEqual(['<video>']);
  });
});
