// The running Hostdeck version (from package.json).
import pkg from '@/package.json' with { type: 'json' };

export const HOSTDECK_VERSION: string = pkg.version;
