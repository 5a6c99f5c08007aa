/**
 * Rotates tenants' signing keys now, through the GraphQL admin API.
 *
 *   npm run rotate-keys -- <slug>…      rotate these tenants
 *   npm run rotate-keys -- --all        rotate every tenant the admin client can see
 *       [--url URL] [--client-id ID] [--client-secret SECRET]
 */
import { AdminApiError, apiOptionsFromEnv, connectAdminApi, parseArgs, type AdminApi } from './lib/admin-api.js';

const out = (s = '') => process.stdout.write(`${s}\n`);

async function allSlugs(api: AdminApi): Promise<string[]> {
  const slugs: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { tenants: { edges: { node: { slug: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await api.gql(
        'query($after: String) { tenants(first: 100, after: $after) { edges { node { slug } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
    slugs.push(...data.tenants.edges.map((e) => e.node.slug));
    if (!data.tenants.pageInfo.hasNextPage) return slugs;
    after = data.tenants.pageInfo.endCursor;
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['all', 'help']);
  if (args.flags.help || (!args.flags.all && args.positional.length === 0)) {
    process.stderr.write('usage: npm run rotate-keys -- <slug>… | --all [--url URL] [--client-id ID] [--client-secret SECRET]\n');
    return 2;
  }
  try {
    const api = await connectAdminApi(apiOptionsFromEnv(args.flags));
    const slugs = args.flags.all ? await allSlugs(api) : args.positional;
    for (const [i, slug] of slugs.entries()) {
      process.stdout.write(`[${i + 1}/${slugs.length}] ${slug} … `);
      const d = await api.gql<{ rotateSigningKeys: { signingKeys: { kid: string; alg: string; status: string }[] } }>(
        'mutation($slug: String!) { rotateSigningKeys(tenant: $slug) { signingKeys { kid alg status } } }',
        { slug },
      );
      const active = d.rotateSigningKeys.signingKeys.filter((k) => k.status === 'ACTIVE').map((k) => `${k.alg} ${k.kid}`);
      out(`rotated (active: ${active.join(', ')})`);
    }
    out(`Rotated ${slugs.length} tenant(s).`);
    return 0;
  } catch (e) {
    out('failed');
    process.stderr.write(`rotate-keys: ${e instanceof AdminApiError ? e.message : (e as Error).message}\n`);
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
