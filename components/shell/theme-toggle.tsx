'use client';
// Light / dark / system theme switch.
import { useTheme } from 'next-themes';
import { Monitor, Moon, Sun } from 'lucide-react';
import { Button } from '@/components/ui/button';

const order = ['light', 'dark', 'system'] as const;

export function ThemeToggle() {
  const { theme = 'system', setTheme } = useTheme();
  const next = order[(order.indexOf(theme as (typeof order)[number]) + 1) % order.length]!;
  const Icon = theme === 'light' ? Sun : theme === 'dark' ? Moon : Monitor;
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={`Theme: ${theme}. Switch to ${next}`}
      title={`Theme: ${theme}`}
      onClick={() => setTheme(next)}
      suppressHydrationWarning
    >
      <Icon />
    </Button>
  );
}
