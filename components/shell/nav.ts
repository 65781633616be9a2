// The sidebar's sections, in order.
import { Activity, FileDiff, LayoutDashboard, Monitor, Rocket, ScrollText, Server, Settings } from 'lucide-react';
import type { Role } from '@/lib/auth/roles';

export type NavItem = { href: string; label: string; icon: typeof Server; role?: Role };

export const navItems: NavItem[] = [
  { href: '/', label: 'Dashboard', icon: LayoutDashboard },
  { href: '/hosts', label: 'Hosts', icon: Server },
  { href: '/vms', label: 'Virtual machines', icon: Monitor },
  { href: '/changes', label: 'Changes', icon: FileDiff },
  { href: '/deployments', label: 'Deployments', icon: Rocket },
  { href: '/audit', label: 'Audit log', icon: ScrollText, role: 'approver' },
  { href: '/settings', label: 'Settings', icon: Settings },
];

export const activityIcon = Activity;
