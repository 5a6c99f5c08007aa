import { currentSession } from '../../sessions/login-sessions.js';
import type { EndSessionContext } from './context.js';

/** The browser's login session at this tenant (none: there is nothing to end). */
export async function loadSession(ctx: EndSessionContext): Promise<void> {
  ctx.session = await currentSession(ctx.rt, ctx.tenant, ctx.req.headers.cookie);
}
