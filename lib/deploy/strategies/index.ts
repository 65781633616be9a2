// lib/deploy/strategies — the strategy for a host's flavour: NixOS hosts get
// the module + nixos-rebuild strategy with its armed switch-back, every other
// Linux host with libvirt the virsh strategy.
import type { DeployStrategy } from '@/lib/deploy/strategy';
import { libvirtStrategy } from './libvirt';
import { nixosStrategy } from './nixos';

export function strategyFor(flavour: 'nixos' | 'libvirt'): DeployStrategy {
  return flavour === 'nixos' ? nixosStrategy : libvirtStrategy;
}
