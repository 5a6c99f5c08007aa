import type { ScopeDefinition } from '../tenancy/tenant-record.js';

/**
 * What the consent page says for each scope: the tenant's own words when it defined
 * the scope (display name and description), else the standard scopes (OIDC Core 5.4)
 * in words; any other scope is shown by its name, since only the tenant knows what it
 * means.
 */
export interface ScopeWords {
  title: string;
  description: string;
}

const STANDARD: Record<string, ScopeWords> = {
  openid: { title: 'Know who you are', description: 'Sign you in with your account and receive an identifier for it.' },
  profile: {
    title: 'Your basic profile',
    description: 'Your name, username, profile picture, website, gender, birth date, time zone and language.',
  },
  email: { title: 'Your email address', description: 'Your email address and whether it has been verified.' },
  address: { title: 'Your postal address', description: 'The postal address stored in your account.' },
  phone: { title: 'Your phone number', description: 'Your phone number and whether it has been verified.' },
  offline_access: { title: 'Stay connected', description: 'Keep access to this information while you are not using the application.' },
};

export function scopeWords(scope: string, definitions: readonly ScopeDefinition[] = []): ScopeWords {
  const standard = STANDARD[scope];
  const def = definitions.find((d) => d.name === scope);
  if (def && (def.description || (def.displayName && def.displayName !== scope))) {
    return { title: def.displayName || standard?.title || scope, description: def.description || standard?.description || '' };
  }
  return standard ?? { title: scope, description: 'Access that the application requested under this name.' };
}
