/**
 * Writes a tenant back out as a tenant file (YAML), through the GraphQL admin API.
 * Secrets and passwords are never exported; applying the export changes nothing.
 *
 *   npm run export -- <slug> [--out tenants/<slug>.yaml] [--no-users]
 *       [--url URL] [--client-id ID] [--client-secret SECRET]
 */
import { writeFileSync } from 'node:fs';
import { AdminApiError, apiOptionsFromEnv, connectAdminApi, parseArgs } from './lib/admin-api.js';
import { exportTenant, tenantYaml } from './lib/tenant-export.js';
import { fetchTenant } from './lib/tenant-state.js';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-users', 'help']);
  const [slug] = args.positional;
  if (args.flags.help || !slug || args.positional.length > 1) {
    process.stderr.write(
      'usage: npm run export -- <slug> [--out FILE] [--no-users] [--url URL] [--client-id ID] [--client-secret SECRET]\n',
    );
    return 2;
  }
  try {
    const api = await connectAdminApi(apiOptionsFromEnv(args.flags));
    const tenant = await fetchTenant(api, slug, { users: !args.flags['no-users'] });
    if (!tenant) {
      process.stderr.write(`export: no tenant "${slug}"\n`);
      return 1;
    }
    const yaml = tenantYaml(exportTenant(tenant));
    if (typeof args.flags.out === 'string') {
      writeFileSync(args.flags.out, yaml);
      process.stderr.write(`export: wrote ${args.flags.out}\n`);
    } else process.stdout.write(yaml);
    return 0;
  } catch (e) {
    process.stderr.write(`export: ${e instanceof AdminApiError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
