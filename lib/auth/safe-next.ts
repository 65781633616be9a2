// Where to go after signing in: only a path of this app. The value comes from the
// URL (?next=…), so anything that could leave the origin falls back to '/'.

/** A stand-in origin: `next` is resolved against it and must stay on it. */
const OWN_ORIGIN = 'http://hostdeck.invalid';
const MAX_NEXT_LENGTH = 2048;

/** Characters browsers drop or treat as '/' while parsing a URL, which turn "/\t/x" into "//x". */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/** `true` when `path` (raw or once more decoded) could be read as another origin by some parser. */
function looksOffsite(path: string): boolean {
  return UNSAFE_CHARACTERS.test(path) || !path.startsWith('/') || path.startsWith('//');
}

/**
 * The path to redirect to after login: `next` when it is a path on this app's own
 * origin (query and fragment kept), otherwise '/'. Refused: schemes, "//host",
 * backslashes, tabs, newlines and other control characters anywhere, and their
 * percent-encoded forms in the path.
 */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_NEXT_LENGTH) return '/';
  if (looksOffsite(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, OWN_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== OWN_ORIGIN) return '/';
  // A path such as "/%2F%2Fevil" stays here in a browser, but a proxy or a later
  // decode could turn it into "//evil": refuse encoded slashes, backslashes and controls too.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return '/';
  }
  if (looksOffsite(decoded) || /%(2f|5c)/i.test(decoded)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
