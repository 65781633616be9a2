// Syntax highlighting of rendered files on the server (shiki), light and dark.
import { codeToHtml } from 'shiki';

export function languageOf(path: string): 'nix' | 'xml' | 'json' | 'yaml' | 'text' {
  if (path.endsWith('.nix')) return 'nix';
  if (path.endsWith('.xml')) return 'xml';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('user-data') || path.endsWith('meta-data')) return 'yaml';
  return 'text';
}

export async function highlight(code: string, path: string): Promise<string> {
  return codeToHtml(code, { lang: languageOf(path), themes: { light: 'github-light', dark: 'github-dark' }, defaultColor: 'light' });
}
